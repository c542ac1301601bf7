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

/// Keeps span partitions ready ahead of time and drops expired ones, with
/// their RED and service-map rollups.
pub async fn run(db: Database, retention: Duration, cancel: CancellationToken) {
    loop {
        let pause = match maintain_once(&db, Utc::now(), retention).await {
            Ok(dropped) => {
                if !dropped.is_empty() {
                    tracing::info!(?dropped, "dropped expired span partitions");
                }
                EVERY
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
    let keep_from =
        now - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::days(7));
    let dropped = partitions::drop_before(db.pool(), Partitioned::Spans, keep_from).await?;
    let keep_from_ns = keep_from.timestamp_nanos_opt().unwrap_or(0);
    db.drop_rollups_before(keep_from_ns).await?;
    db.drop_edge_rollups_before(keep_from_ns).await?;
    Ok(dropped)
}
