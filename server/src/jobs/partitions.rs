use std::time::Duration;

use app::storage::partitions::{self, Partitioned};
use app::storage::{Database, StorageError};
use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

/// How often partitions are created ahead and old ones dropped.
const EVERY: Duration = Duration::from_secs(15 * 60);
/// Sooner after a failure, e.g. at start-up before migrations are applied.
const RETRY: Duration = Duration::from_secs(10);
/// Days of partitions kept ready beyond today.
const DAYS_AHEAD: i64 = 2;

/// How long check uptime counts are kept: a status page shows 90 days.
const CHECK_ROLLUP_DAYS: i64 = 90;

/// How long each kind of data is kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    pub spans: Duration,
    pub check_results: Duration,
}

/// Keeps span and check-result partitions ready ahead of time and drops
/// expired ones, with their rollups.
pub async fn run(db: Database, retention: Retention, cancel: CancellationToken) {
    loop {
        let pause = match maintain_once(&db, Utc::now(), retention.spans).await {
            Ok(dropped) => {
                if !dropped.is_empty() {
                    tracing::info!(?dropped, "dropped expired span partitions");
                }
                match maintain_check_results(&db, Utc::now(), retention.check_results).await {
                    Ok(()) => EVERY,
                    Err(error) => {
                        tracing::debug!(error = %error, "check result partitions not maintained");
                        RETRY
                    }
                }
            }
            // Before migrations or during an outage: try again soon.
            Err(error) => {
                tracing::debug!(error = %error, "partition maintenance skipped");
                RETRY
            }
        };
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// One round: create today's and the next days' partitions, then drop those
/// wholly older than the retention window. Returns the days dropped.
pub async fn maintain_once(
    db: &Database,
    now: DateTime<Utc>,
    retention: Duration,
) -> Result<Vec<chrono::NaiveDate>, StorageError> {
    partitions::ensure_ahead(db.pool(), Partitioned::Spans, now, DAYS_AHEAD).await?;
    partitions::ensure_ahead(db.pool(), Partitioned::MetricPoints, now, DAYS_AHEAD).await?;
    let keep_from = keep_from(now, retention);
    let dropped = partitions::drop_before(db.pool(), Partitioned::Spans, keep_from).await?;
    // Metric points share the spans' retention: both are telemetry.
    partitions::drop_before(db.pool(), Partitioned::MetricPoints, keep_from).await?;
    let keep_from_ns = keep_from.timestamp_nanos_opt().unwrap_or(0);
    db.drop_rollups_before(keep_from_ns).await?;
    db.drop_edge_rollups_before(keep_from_ns).await?;
    Ok(dropped)
}

fn keep_from(now: DateTime<Utc>, retention: Duration) -> DateTime<Utc> {
    now - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::days(7))
}

/// The same for check results, whose retention is set apart: they are
/// small and a status page wants weeks of them.
pub async fn maintain_check_results(
    db: &Database,
    now: DateTime<Utc>,
    retention: Duration,
) -> Result<(), StorageError> {
    partitions::ensure_ahead(db.pool(), Partitioned::CheckResults, now, DAYS_AHEAD).await?;
    let dropped = partitions::drop_before(
        db.pool(),
        Partitioned::CheckResults,
        keep_from(now, retention),
    )
    .await?;
    if !dropped.is_empty() {
        tracing::info!(?dropped, "dropped expired check-result partitions");
    }
    let rollups_from = now - chrono::Duration::days(CHECK_ROLLUP_DAYS);
    db.drop_check_rollups_before(rollups_from.timestamp_nanos_opt().unwrap_or(0))
        .await?;
    Ok(())
}
