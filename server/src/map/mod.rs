//! The service map's edges, derived from spans as they are ingested.
//!
//! The ingest writers hand every committed batch's facts to one shared
//! [`EdgeMatcher`]; a job expires what waited too long and writes the
//! per-minute rollups, then folds them in the database. While other
//! replicas run on the same database, facts that found no partner in
//! memory are shared through it ([`shared`]).

pub mod facts;
mod matcher;
mod shared;

pub use matcher::{EdgeMatcher, MatcherCounts, MatcherSettings};

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::storage::{Database, StorageError};
use tokio_util::sync::CancellationToken;

/// How often matched calls are written out (at most).
const FLUSH_EVERY: Duration = Duration::from_secs(5);
/// How long a fact waits in memory before it is shared (at most): SDKs
/// export every 5 s by default, so most partners that reach this replica
/// have arrived by then.
const SHARE_AFTER: Duration = Duration::from_secs(10);
/// How often the rows of the last hours are folded together, in flushes.
const MERGE_EVERY: u32 = 6;
/// A replica seen within this many seconds is running.
const REPLICA_ALIVE_SECS: i64 = 30;

/// The matcher shared by the ingest writers and the flush job.
#[derive(Clone)]
pub struct EdgeTracker {
    matcher: Arc<Mutex<EdgeMatcher>>,
    settings: MatcherSettings,
    /// This server among the replicas on the database.
    replica_id: i64,
    sharing: Arc<AtomicBool>,
    shared_waiting: Arc<AtomicI64>,
}

impl EdgeTracker {
    pub fn new(settings: MatcherSettings) -> EdgeTracker {
        EdgeTracker {
            matcher: Arc::new(Mutex::new(EdgeMatcher::new(settings))),
            settings,
            replica_id: new_replica_id(),
            sharing: Arc::new(AtomicBool::new(false)),
            shared_waiting: Arc::new(AtomicI64::new(0)),
        }
    }

    /// Called by an ingest writer after its batch committed.
    pub fn observe(&self, facts: facts::Facts) {
        if facts.is_empty() {
            return;
        }
        self.lock().observe(facts, Instant::now());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, EdgeMatcher> {
        self.matcher.lock().expect("edge matcher lock")
    }

    /// What the matcher has done so far, how many spans wait in memory, and
    /// how many wait in the database for any replica.
    pub fn snapshot(&self) -> (MatcherCounts, usize, i64) {
        let matcher = self.lock();
        (
            matcher.counts,
            matcher.pending(),
            self.shared_waiting.load(Ordering::Relaxed),
        )
    }

    /// Whether other replicas were running at the last look.
    fn is_sharing(&self) -> bool {
        self.sharing.load(Ordering::Relaxed)
    }

    /// Short graces (in tests) shorten the rounds too, so that a fact is
    /// shared by half its grace at the latest and can still pair.
    fn flush_every(&self) -> Duration {
        FLUSH_EVERY.min(self.settings.caller_grace / 4)
    }

    fn share_after(&self) -> Duration {
        SHARE_AFTER.min(self.settings.caller_grace / 4)
    }

    /// Expires what waited too long and writes the rollups gathered so far.
    /// Rollups that fail to write go back in, to be retried next time.
    pub async fn flush(&self, db: &Database) -> Result<usize, StorageError> {
        let rollups = {
            let mut matcher = self.lock();
            matcher.expire(Instant::now());
            matcher.take_rollups()
        };
        if rollups.is_empty() {
            return Ok(0);
        }
        match db.write_edge_rollups(&rollups).await {
            Ok(()) => Ok(rollups.len()),
            Err(error) => {
                self.lock().restore(rollups);
                Err(error)
            }
        }
    }

    /// Notes this replica as running and learns whether others are.
    async fn heartbeat(&self, db: &Database) -> Result<(), StorageError> {
        let others = db
            .replica_heartbeat(self.replica_id, REPLICA_ALIVE_SECS)
            .await?;
        self.sharing.store(others > 0, Ordering::Relaxed);
        Ok(())
    }

    /// Writes facts that have waited at least `waited` to the database for
    /// any replica to pair; on failure they go back into memory.
    async fn share(&self, db: &Database, waited: Duration) -> Result<usize, StorageError> {
        let now = Instant::now();
        let taken = self.lock().take_waiting(waited, now);
        if taken.is_empty() {
            return Ok(0);
        }
        let now_ms = chrono::Utc::now().timestamp_millis();
        let rows: Vec<_> = taken
            .iter()
            .map(|(fact, age)| shared::to_pending(fact, *age, now_ms))
            .collect();
        match db.spill_edge_facts(&rows).await {
            Ok(()) => {
                self.lock().counts.shared += rows.len() as u64;
                Ok(rows.len())
            }
            Err(error) => {
                self.lock().put_back(taken, now);
                Err(error)
            }
        }
    }

    /// Pairs the facts shared by every replica, if no other replica is
    /// doing it right now.
    async fn pair_shared(&self, db: &Database) -> Result<(), StorageError> {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let millis = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        let mut counts = MatcherCounts::default();
        let round = db
            .pair_pending_edges(
                now_ms - millis(self.settings.caller_grace),
                now_ms - millis(self.settings.callee_window),
                |rows| {
                    let (rollups, paired) = shared::pair(rows);
                    counts = paired;
                    rollups
                },
            )
            .await?;
        if let Some(round) = round {
            self.lock().counts.absorb(&counts);
            self.shared_waiting.store(round.left, Ordering::Relaxed);
        }
        Ok(())
    }

    /// One round of the job.
    async fn tick(&self, db: &Database) {
        if let Err(error) = self.heartbeat(db).await {
            tracing::debug!(error = %error, "replica heartbeat skipped");
        }
        if self.is_sharing()
            && let Err(error) = self.share(db, self.share_after()).await
        {
            tracing::debug!(error = %error, "service-map facts not shared; retrying");
        }
        if let Err(error) = self.flush(db).await {
            tracing::debug!(error = %error, "service-map edges not written; retrying");
        }
        if let Err(error) = self.pair_shared(db).await {
            tracing::debug!(error = %error, "shared service-map facts not paired; retrying");
        }
    }

    /// The last round, on shutdown after the ingest writers drained: what
    /// still waits is shared, so another replica, or this server when it
    /// is back, can still pair it.
    pub async fn finish(&self, db: &Database) -> Result<(), StorageError> {
        self.flush(db).await?;
        self.share(db, Duration::ZERO).await?;
        self.pair_shared(db).await?;
        db.replica_leave(self.replica_id).await
    }
}

/// Unique enough among the replicas of one database: the process id and
/// the start time's nanoseconds.
fn new_replica_id() -> i64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64;
    (nanos ^ (u64::from(std::process::id()) << 40)) as i64 & i64::MAX
}

/// Flushes every few seconds and merges now and then. The last round, on
/// shutdown, is the server's, after the ingest writers have drained.
pub async fn run(tracker: EdgeTracker, db: Database, cancel: CancellationToken) {
    let mut round: u32 = 0;
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(tracker.flush_every()) => {}
        }
        tracker.tick(&db).await;
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
