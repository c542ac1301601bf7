//! The Health page's reads, timed after the check benchmark: what a
//! refresh of `/health` costs the database with a full hour of results
//! for every check in place (the benchmark's own minutes, plus an hour
//! before them written through the same storage path). Medians of a few
//! rounds, since a single read on this shared machine varies.

use std::time::{Duration, Instant};

use app::model::check::{CheckState, ProbeResult};
use app::storage::Database;
use app::storage::checks::CheckOutcome;

const ROUNDS: usize = 5;
const BAR_SLOTS: usize = 90;
const HOUR_NS: i64 = 3_600_000_000_000;

/// Runs `read` `ROUNDS` times; the median time.
async fn median<F, Fut>(mut read: F) -> Result<Duration, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let mut times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        read().await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[ROUNDS / 2])
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// Writes one result every `interval_ns` for the hour before `before_ns`
/// for every check, in batches as the scheduler's writer does.
async fn backfill_hour(
    db: &Database,
    ids: &[i64],
    before_ns: i64,
    interval_ns: i64,
) -> Result<usize, String> {
    let result = ProbeResult {
        state: CheckState::Healthy,
        latency_ms: 2.0,
        http_status: Some(200),
        reason: None,
        dependencies: Vec::new(),
        version: None,
    };
    let mut written = 0;
    for step in 1..=HOUR_NS / interval_ns {
        let at_ns = before_ns - step * interval_ns;
        let batch: Vec<CheckOutcome> = ids
            .iter()
            .map(|&check_id| CheckOutcome {
                check_id,
                at_ns,
                result: result.clone(),
            })
            .collect();
        db.write_check_results(&batch)
            .await
            .map_err(|e| e.to_string())?;
        written += batch.len();
    }
    Ok(written)
}

/// Times and prints the reads behind one refresh of the Health page, and
/// the 30-day bars of the status page, for every registered check.
pub async fn report(
    db: &Database,
    started_ns: i64,
    now_ns: i64,
    interval_ns: i64,
) -> Result<(), String> {
    let error = |e: app::storage::StorageError| e.to_string();
    let ids: Vec<i64> = db
        .checks()
        .await
        .map_err(error)?
        .iter()
        .map(|c| c.id)
        .collect();
    let backfilled = backfill_hour(db, &ids, started_ns, interval_ns).await?;
    let registry = median(|| async { db.checks().await.map(drop).map_err(error) }).await?;
    let hour_bars = median(|| async {
        let bars = db.check_uptime_bars(&ids, now_ns - HOUR_NS, now_ns, BAR_SLOTS);
        bars.await.map(drop).map_err(error)
    })
    .await?;
    let periods = median(|| async {
        let periods = db.check_uptime_periods(&ids, now_ns);
        periods.await.map(drop).map_err(error)
    })
    .await?;
    let month_bars = median(|| async {
        let bars = db.check_uptime_bars(&ids, now_ns - 30 * 24 * HOUR_NS, now_ns, BAR_SLOTS);
        bars.await.map(drop).map_err(error)
    })
    .await?;
    println!(
        "Health page reads, {} checks, {backfilled} results backfilled over the hour before: \
         registry {:.1} ms, 1 h bars (raw results) {:.1} ms, 24h/7d/30d uptime {:.1} ms, \
         30 d bars (rollups) {:.1} ms (medians of {ROUNDS})",
        ids.len(),
        ms(registry),
        ms(hour_bars),
        ms(periods),
        ms(month_bars)
    );
    Ok(())
}
