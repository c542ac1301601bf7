//! Stores check results in batches: fewer transactions when thousands of
//! checks run, and a database outage only delays results (up to a bound)
//! instead of losing them.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use app::storage::Database;
use app::storage::checks::CheckOutcome;
use tokio::sync::mpsc;

use super::SchedulerStats;

/// Results gathered before a write, at most.
const BATCH: usize = 500;
/// How long a result may wait for others to share its write.
const LINGER: Duration = Duration::from_millis(200);
/// Results kept while the database is down; past this the oldest go.
const MAX_BACKLOG: usize = 100_000;
const RETRY: Duration = Duration::from_secs(1);

pub async fn run(
    db: Database,
    mut outcomes: mpsc::Receiver<CheckOutcome>,
    stats: Arc<SchedulerStats>,
) {
    let mut pending: Vec<CheckOutcome> = Vec::new();
    let mut open = true;
    while open || !pending.is_empty() {
        if open {
            open = gather(&mut outcomes, &mut pending).await;
        }
        if pending.is_empty() {
            continue;
        }
        match db.write_check_results(&pending).await {
            Ok(()) => {
                stats
                    .results_written
                    .fetch_add(pending.len() as u64, Ordering::Relaxed);
                pending.clear();
            }
            Err(error) => {
                tracing::warn!(error = %error, results = pending.len(), "check results not stored yet; retrying");
                if pending.len() > MAX_BACKLOG {
                    let excess = pending.len() - MAX_BACKLOG;
                    pending.drain(..excess);
                    stats
                        .results_dropped
                        .fetch_add(excess as u64, Ordering::Relaxed);
                }
                if !open {
                    // Shutting down with the database gone: nothing more to try.
                    stats
                        .results_dropped
                        .fetch_add(pending.len() as u64, Ordering::Relaxed);
                    return;
                }
                tokio::time::sleep(RETRY).await;
            }
        }
    }
}

/// Waits for a first result, then takes what arrives within the linger
/// time, up to a batch. False once every sender is gone.
async fn gather(
    outcomes: &mut mpsc::Receiver<CheckOutcome>,
    pending: &mut Vec<CheckOutcome>,
) -> bool {
    if pending.is_empty() {
        match outcomes.recv().await {
            Some(outcome) => pending.push(outcome),
            None => return false,
        }
    }
    let deadline = tokio::time::Instant::now() + LINGER;
    while pending.len() < BATCH {
        match tokio::time::timeout_at(deadline, outcomes.recv()).await {
            Ok(Some(outcome)) => pending.push(outcome),
            Ok(None) => return false,
            Err(_) => break,
        }
    }
    true
}
