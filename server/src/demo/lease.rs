//! One demo fleet per demo database. Replicas started with `--demo` on one
//! database would each register the checks on their own ports and revoke
//! each other's ingest keys; the replica holding the demo lease runs the
//! fleet, and another takes over when it stops.

use std::time::Duration;

use app::storage::Database;
use app::storage::lease::{Lease, LeaseKey};
use tokio_util::sync::CancellationToken;

/// How often a waiting replica tries to take the lease, and the holder
/// checks it still has it.
const LEASE_CHECK_EVERY: Duration = Duration::from_secs(3);

/// The lease once no other replica holds it; `None` on `cancel`.
pub async fn wait_for_lease(db: &Database, cancel: &CancellationToken) -> Option<Lease> {
    let mut said_waiting = false;
    // Checked first: the fleet that ended may have ended for the shutdown.
    while !cancel.is_cancelled() {
        match db.try_take_lease(LeaseKey::DemoFleet).await {
            Ok(Some(lease)) => return Some(lease),
            Ok(None) if !said_waiting => {
                tracing::info!(
                    "another replica runs the demo fleet on this database; this one takes over if it stops"
                );
                said_waiting = true;
            }
            Ok(None) => {}
            Err(error) => tracing::debug!(error = %error, "demo lease not taken"),
        }
        tokio::select! {
            () = cancel.cancelled() => return None,
            () = tokio::time::sleep(LEASE_CHECK_EVERY) => {}
        }
    }
    None
}

/// Holds `lease` until `fleet` is cancelled, and cancels it if the lease
/// is lost (its connection died, so another replica may take over).
pub async fn hold(mut lease: Lease, fleet: CancellationToken) {
    loop {
        tokio::select! {
            () = fleet.cancelled() => return,
            () = tokio::time::sleep(LEASE_CHECK_EVERY) => {}
        }
        if !lease.alive().await {
            tracing::warn!(
                "demo lease lost; this replica's fleet stops and waits to take it again"
            );
            fleet.cancel();
            return;
        }
    }
}
