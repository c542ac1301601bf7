//! Runs every active check on its interval. Due checks are claimed in
//! PostgreSQL (`for update skip locked`), so with several replicas each run
//! happens once; a claimed check waits for its exact due time in a task of
//! its own, under a bound on concurrent probes. A check never overlaps
//! itself: its next run is a whole interval on, and its timeout is at most
//! the interval.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use app::model::sketch::DurationSketch;
use app::storage::Database;
use app::storage::checks::{CheckOutcome, ClaimedCheck};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::probe::Prober;
use super::writer;

#[derive(Debug, Clone, Copy)]
pub struct SchedulerSettings {
    /// Probes running at once, at most.
    pub concurrency: usize,
    /// How often due checks are claimed.
    pub poll: Duration,
    /// How far ahead checks are claimed, so each can start on time.
    pub lookahead: Duration,
}

impl Default for SchedulerSettings {
    fn default() -> Self {
        SchedulerSettings {
            concurrency: 256,
            poll: Duration::from_millis(200),
            lookahead: Duration::from_secs(1),
        }
    }
}

/// What the scheduler did, for `/metrics` and the benchmark.
#[derive(Default)]
pub struct SchedulerStats {
    pub runs: AtomicU64,
    pub results_written: AtomicU64,
    pub results_dropped: AtomicU64,
    /// How late each probe started after its due time.
    lag: Mutex<DurationSketch>,
}

impl SchedulerStats {
    fn record_lag(&self, lag: Duration) {
        let nanos = i64::try_from(lag.as_nanos()).unwrap_or(i64::MAX);
        self.lag.lock().expect("lag sketch lock").record(nanos);
    }

    /// Start lag percentiles in milliseconds (p50, p99), if anything ran.
    pub fn lag_ms(&self) -> Option<(f64, f64)> {
        let sketch = self.lag.lock().expect("lag sketch lock");
        let ms = |q| sketch.quantile(q).map(|ns| ns as f64 / 1e6);
        Some((ms(0.5)?, ms(0.99)?))
    }

    /// Forgets the lags so far, so that `check-bench` measures its steady
    /// state without the ramp of first runs.
    pub fn reset_lag(&self) {
        *self.lag.lock().expect("lag sketch lock") = DurationSketch::new();
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Claims and runs checks until `cancel`; then lets running probes finish
/// and the writer store their results.
pub async fn run(
    db: Database,
    prober: Prober,
    settings: SchedulerSettings,
    stats: Arc<SchedulerStats>,
    cancel: CancellationToken,
) {
    let (results, outcomes) = mpsc::channel::<CheckOutcome>(settings.concurrency.max(1) * 4);
    let writer = tokio::spawn(writer::run(db.clone(), outcomes, stats.clone()));
    let permits = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let probes = TaskTracker::new();
    loop {
        tokio::select! {
            () = cancel.cancelled() => break,
            () = tokio::time::sleep(settings.poll) => {}
        }
        let free = permits.available_permits() as i64;
        if free == 0 {
            continue;
        }
        let lookahead_ms = settings.lookahead.as_millis() as i64;
        let claimed = match db.claim_due_checks(lookahead_ms, free).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::debug!(error = %error, "no checks claimed this round");
                continue;
            }
        };
        for check in claimed {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                break;
            };
            let (prober, results, stats, cancel) = (
                prober.clone(),
                results.clone(),
                stats.clone(),
                cancel.clone(),
            );
            probes.spawn(async move {
                run_one(check, &prober, &results, &stats, &cancel).await;
                drop(permit);
            });
        }
    }
    probes.close();
    probes.wait().await;
    drop(results);
    let _ = writer.await;
}

/// Waits for the check's due time, probes it and hands the result on.
async fn run_one(
    check: ClaimedCheck,
    prober: &Prober,
    results: &mpsc::Sender<CheckOutcome>,
    stats: &SchedulerStats,
    cancel: &CancellationToken,
) {
    let wait = Duration::from_millis((check.due_ms - now_ms()).max(0) as u64);
    tokio::select! {
        // Not started yet: the next replica (or this one, restarted) runs
        // it at its next interval.
        () = cancel.cancelled() => return,
        () = tokio::time::sleep(wait) => {}
    }
    let started_ms = now_ms();
    stats.record_lag(Duration::from_millis(
        (started_ms - check.due_ms).max(0) as u64
    ));
    let result = prober.probe(&check.spec).await;
    stats.runs.fetch_add(1, Ordering::Relaxed);
    let outcome = CheckOutcome {
        check_id: check.id,
        at_ns: started_ms.saturating_mul(1_000_000),
        result,
    };
    if results.send(outcome).await.is_err() {
        stats.results_dropped.fetch_add(1, Ordering::Relaxed);
    }
}
