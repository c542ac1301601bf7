//! Folds the per-batch RED rollup rows into one row per (operation,
//! minute), so page queries read few rows however fast spans arrive.

use std::time::Duration;

use app::storage::{Database, StorageError};
use tokio_util::sync::CancellationToken;

/// Often enough that the current hour never holds many rows per key.
const EVERY: Duration = Duration::from_secs(20);
/// Rows older than this were merged by earlier rounds; late spans for older
/// minutes add rows that stay unmerged, which reads handle anyway.
const LOOK_BACK: chrono::Duration = chrono::Duration::hours(2);

pub async fn run(db: Database, cancel: CancellationToken) {
    loop {
        match merge_once(&db, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(merged) => tracing::debug!(merged, "merged rollup rows"),
            Err(error) => tracing::debug!(error = %error, "rollup merge skipped"),
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}

/// One round; returns how many rows were folded.
pub async fn merge_once(
    db: &Database,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, StorageError> {
    let since = (now - LOOK_BACK).timestamp_nanos_opt().unwrap_or(0);
    db.merge_rollups(since).await
}
