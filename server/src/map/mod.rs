//! The service map's edges, derived from spans as they are ingested.
//!
//! The ingest writers hand every committed batch's facts to one shared
//! [`EdgeMatcher`]; a job expires what waited too long and writes the
//! per-minute rollups, then folds them in the database.

pub mod facts;
mod matcher;

pub use matcher::{EdgeMatcher, MatcherCounts, MatcherSettings};

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::storage::Database;
use tokio_util::sync::CancellationToken;

/// How often matched calls are written out.
const FLUSH_EVERY: Duration = Duration::from_secs(5);
/// How often the rows of the last hours are folded together.
const MERGE_EVERY: u32 = 6;

/// The matcher shared by the ingest writers and the flush job.
#[derive(Clone)]
pub struct EdgeTracker {
    matcher: Arc<Mutex<EdgeMatcher>>,
}

impl EdgeTracker {
    pub fn new(settings: MatcherSettings) -> EdgeTracker {
        EdgeTracker {
            matcher: Arc::new(Mutex::new(EdgeMatcher::new(settings))),
        }
    }

    /// Called by an ingest writer after its batch committed.
    pub fn observe(&self, facts: facts::Facts) {
        if facts.is_empty() {
            return;
        }
        self.matcher
            .lock()
            .expect("edge matcher lock")
            .observe(facts, Instant::now());
    }

    /// What the matcher has done so far, and how many spans wait now.
    pub fn snapshot(&self) -> (MatcherCounts, usize) {
        let matcher = self.matcher.lock().expect("edge matcher lock");
        (matcher.counts, matcher.pending())
    }

    /// Expires what waited too long and writes the rollups gathered so far.
    /// Rollups that fail to write go back in, to be retried next time.
    pub async fn flush(&self, db: &Database) -> Result<usize, app::storage::StorageError> {
        let rollups = {
            let mut matcher = self.matcher.lock().expect("edge matcher lock");
            matcher.expire(Instant::now());
            matcher.take_rollups()
        };
        if rollups.is_empty() {
            return Ok(0);
        }
        match db.write_edge_rollups(&rollups).await {
            Ok(()) => Ok(rollups.len()),
            Err(error) => {
                self.matcher
                    .lock()
                    .expect("edge matcher lock")
                    .restore(rollups);
                Err(error)
            }
        }
    }
}

/// Flushes every few seconds and merges now and then. The last flush, on
/// shutdown, is the server's, after the ingest writers have drained.
pub async fn run(tracker: EdgeTracker, db: Database, cancel: CancellationToken) {
    let mut round: u32 = 0;
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(FLUSH_EVERY) => {}
        }
        if let Err(error) = tracker.flush(&db).await {
            tracing::debug!(error = %error, "service-map edges not written; retrying");
        }
        round = round.wrapping_add(1);
        if round.is_multiple_of(MERGE_EVERY) {
            let since = chrono::Utc::now() - chrono::Duration::hours(2);
            if let Err(error) = db
                .merge_edge_rollups(since.timestamp_nanos_opt().unwrap_or(0))
                .await
            {
                tracing::debug!(error = %error, "edge rollup merge skipped");
            }
        }
    }
}
