//! Where alerts' trouble starts: the open alerts and down checks laid over
//! the last hour of the service map (the grouping itself is the pure
//! `model::incident`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::model::alert::{Alert, AlertState};
use crate::model::check::CheckState;
use crate::model::incident::root_causes;
use crate::model::map::NodeKind;
use crate::storage::{Database, StorageError};

/// How far back the calls between services are read: long enough that a
/// quiet edge still counts, short enough to follow a redeployed topology.
const TOPOLOGY_WINDOW: chrono::Duration = chrono::Duration::hours(1);

impl Database {
    /// For each service with an open alert whose trouble starts further
    /// down the call graph, the services it starts at.
    pub async fn alert_root_causes(
        &self,
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<String, Vec<String>>, StorageError> {
        let open = self.alerts(None, None, 1_000).await?;
        let mut troubled: BTreeSet<String> = open
            .iter()
            .filter(|a| a.state != AlertState::Resolved)
            .map(|a| a.service.clone())
            .collect();
        for check in self.checks().await? {
            if check.spec.paused || check.spec.service.is_empty() {
                continue;
            }
            let (state, _) = check.service_state();
            if matches!(state, CheckState::Unhealthy | CheckState::Unreachable) {
                troubled.insert(check.spec.service.clone());
            }
        }
        if troubled.len() < 2 {
            return Ok(BTreeMap::new());
        }
        let end = now.timestamp_nanos_opt().unwrap_or(i64::MAX);
        let start = (now - TOPOLOGY_WINDOW).timestamp_nanos_opt().unwrap_or(0);
        let calls: Vec<(String, String)> = self
            .edges(start, end)
            .await?
            .into_iter()
            .filter(|edge| edge.callee.kind == NodeKind::Service)
            .map(|edge| (edge.caller, edge.callee.name))
            .collect();
        Ok(root_causes(&troubled, &calls))
    }

    /// Fills in `impacted_by` of the open alerts among `alerts`.
    pub async fn with_root_causes(
        &self,
        mut alerts: Vec<Alert>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Alert>, StorageError> {
        if alerts.iter().all(|a| a.state == AlertState::Resolved) {
            return Ok(alerts);
        }
        let causes = self.alert_root_causes(now).await?;
        for alert in alerts
            .iter_mut()
            .filter(|a| a.state != AlertState::Resolved)
        {
            alert.impacted_by = causes.get(&alert.service).cloned().unwrap_or_default();
        }
        Ok(alerts)
    }
}
