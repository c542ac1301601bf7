use std::time::Duration;

use app::storage::{Database, StorageError, expected_schema_version};
use tokio_util::sync::CancellationToken;

/// Brings the schema up to date, retrying until the database answers.
///
/// The server serves (and `/readyz` says 503) in the meantime, so a database
/// that starts after Watchpost, as often happens under orchestration, is not
/// a crash loop.
pub async fn run(db: Database, retry_max: Duration, cancel: CancellationToken) {
    let mut delay = Duration::from_millis(500).min(retry_max);
    let mut attempt: u32 = 1;
    loop {
        match db.migrate().await {
            Ok(()) => {
                tracing::info!(schema_version = expected_schema_version(), "database ready");
                return;
            }
            Err(error @ StorageError::Unavailable(_)) => {
                tracing::warn!(attempt, retry_in = ?delay, error = %error, "database unreachable; retrying");
            }
            Err(error) => {
                tracing::error!(attempt, retry_in = ?delay, error = %error, "database migration failed; retrying");
            }
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(retry_max);
        attempt += 1;
    }
}

/// Waits until the schema is this build's (the migration job, here or on
/// another replica, may still be at it), for jobs that start with the
/// server; false if `cancel` fires first.
pub async fn until_migrated(db: &Database, cancel: &CancellationToken) -> bool {
    let mut delay = Duration::from_millis(100);
    loop {
        if let app::storage::Readiness::Ready = db.readiness().await {
            return true;
        }
        tokio::select! {
            () = cancel.cancelled() => return false,
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}
