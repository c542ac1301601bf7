//! The evaluation loop. Only the replica holding the evaluation lease
//! evaluates; the others try to take it every round, so a dead leader is
//! replaced within one interval (its lock goes with its connection).

use std::time::Duration;

use app::storage::Database;
use app::storage::lease::{Lease, LeaseKey};
use tokio_util::sync::CancellationToken;

pub async fn run(db: Database, every: Duration, cancel: CancellationToken) {
    let mut lease: Option<Lease> = None;
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
        if let Some(held) = lease.as_mut()
            && !held.alive().await
        {
            tracing::warn!("alert evaluation lease lost; trying to take it again");
            lease = None;
        }
        if lease.is_none() {
            match db.try_take_lease(LeaseKey::AlertEvaluation).await {
                Ok(Some(taken)) => {
                    tracing::info!("this replica evaluates the alert rules");
                    lease = Some(taken);
                }
                Ok(None) => continue,
                Err(error) => {
                    tracing::debug!(error = %error, "alert evaluation lease not taken");
                    continue;
                }
            }
        }
        match super::evaluate_once(&db, chrono::Utc::now()).await {
            Ok(summary) if summary.opened + summary.resolved + summary.fired > 0 => {
                tracing::info!(?summary, "alerts evaluated");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "alert evaluation failed"),
        }
    }
}
