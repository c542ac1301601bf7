//! The public status page's data. It is read without logging in, so it
//! carries only what was chosen for it: the names of checks marked public,
//! their state and their daily uptime. No targets, services, labels,
//! reasons or latencies, and nothing about other checks.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::check::CheckState;
use crate::rpc::checks::UptimeBar;

/// Days in the status page's uptime bars.
pub const STATUS_DAYS: usize = 90;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicCheck {
    pub name: String,
    pub state: CheckState,
    pub paused: bool,
    /// One slot a day, oldest first.
    pub days: UptimeBar,
    pub uptime_30d: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusPage {
    pub checks: Vec<PublicCheck>,
}

impl StatusPage {
    /// The worst current state of the shown, active checks.
    pub fn overall(&self) -> Option<CheckState> {
        let active = self.checks.iter().filter(|c| !c.paused);
        active.map(|c| c.state).max_by_key(|s| s.severity())
    }
}

#[server(prefix = "/rpc", endpoint = "status_page")]
pub async fn fetch_status_page() -> Result<StatusPage, AppError> {
    const NANOS_PER_DAY: i64 = 86_400_000_000_000;
    let db = crate::state::app_state()?.db;
    let shown: Vec<_> = db
        .checks()
        .await?
        .into_iter()
        .filter(|c| c.spec.public)
        .collect();
    let ids: Vec<i64> = shown.iter().map(|c| c.id).collect();
    let now = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
    // Whole UTC days, today last.
    let end = now - now.rem_euclid(NANOS_PER_DAY) + NANOS_PER_DAY;
    let start = end - STATUS_DAYS as i64 * NANOS_PER_DAY;
    let mut bars = db.check_uptime_bars(&ids, start, end, STATUS_DAYS).await?;
    let (bar_from, slot) = crate::storage::checks::bar_slots(start, end, STATUS_DAYS);
    let mut periods = db.check_uptime_periods(&ids, now).await?;
    let checks = shown
        .into_iter()
        .map(|check| {
            let days = bars.remove(&check.id).unwrap_or_default();
            PublicCheck {
                uptime_30d: periods.remove(&check.id).and_then(|p| p[2].fraction_up()),
                days: crate::rpc::checks::ssr::bar(bar_from, slot, &days),
                name: check.spec.name,
                state: check.state,
                paused: check.spec.paused,
            }
        })
        .collect();
    Ok(StatusPage { checks })
}
