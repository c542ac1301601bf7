//! Deletes sessions that ended (expired or revoked) more than a day ago, so
//! the sessions table holds roughly the live ones. Idempotent: every
//! replica may run it.

use std::time::Duration;

use app::storage::Database;
use app::storage::accounts::sessions;
use tokio_util::sync::CancellationToken;

const EVERY: Duration = Duration::from_secs(3600);

pub async fn run(db: Database, cancel: CancellationToken) {
    // First pass an hour in: at start the schema may not be migrated yet.
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + EVERY, EVERY);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        match sessions::delete_ended(&db).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "ended sessions deleted"),
            Err(error) => tracing::warn!(error = %error, "ended sessions not deleted"),
        }
    }
}
