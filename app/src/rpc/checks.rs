//! Data and actions for the Health pages: the grid of checks with their
//! uptime bars, one check in full, the form's save, pause and delete. The
//! public status page has its own, narrower function in `status.rs`.

use std::collections::BTreeMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::check::{
    CheckEvent, CheckRecord, CheckSource, CheckState, CheckType, StoredResult, Uptime,
};
use crate::model::check_form::CheckForm;

/// Slots in every uptime bar, as on a status page.
pub const BAR_SLOTS: usize = 90;
/// Points in a check's latency chart.
#[cfg(feature = "ssr")]
const LATENCY_BUCKETS: usize = 60;
/// Results listed on a check's page.
#[cfg(feature = "ssr")]
const RECENT_RESULTS: i64 = 20;
/// State changes listed on a check's page.
#[cfg(feature = "ssr")]
const EVENTS: i64 = 50;
/// Services looked at for "add a check" suggestions.
#[cfg(feature = "ssr")]
const SUGGESTIONS: usize = 20;

/// One slot of an uptime bar: the worst state seen and the share up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BarSlot {
    pub worst: Option<CheckState>,
    pub up: Option<f64>,
}

impl BarSlot {
    pub fn of(uptime: &Uptime) -> BarSlot {
        BarSlot {
            worst: uptime.worst(),
            up: uptime.fraction_up(),
        }
    }
}

/// An uptime bar: `slots` from `from_ms`, each `slot_ms` long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UptimeBar {
    pub from_ms: i64,
    pub slot_ms: i64,
    pub slots: Vec<BarSlot>,
}

/// A check in the Health grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckSummary {
    pub id: i64,
    pub name: String,
    pub service: String,
    pub check_type: CheckType,
    pub target: String,
    pub state: CheckState,
    pub state_since_ms: i64,
    pub paused: bool,
    pub source: CheckSource,
    pub labels: BTreeMap<String, String>,
    pub latency_ms: Option<f64>,
    pub reason: Option<String>,
    /// Reported dependencies that are not healthy, as `name (state)`.
    pub failing_dependencies: Vec<String>,
    pub uptime_24h: Option<f64>,
    pub bar: UptimeBar,
}

/// A service that sends spans but has no check, with a likely URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSuggestion {
    pub service: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthOverview {
    pub checks: Vec<CheckSummary>,
}

/// One check in full, for its page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckDetail {
    pub record: CheckRecord,
    /// The edit form, filled in.
    pub form: CheckForm,
    /// Share of results up over 24 h, 7 d and 30 d.
    pub uptime: [Option<f64>; 3],
    /// p50, p95, p99 latency over the window, in ms.
    pub percentiles: Option<[f64; 3]>,
    pub latency: LatencySeries,
    pub events: Vec<CheckEvent>,
    pub last_failure: Option<StoredResult>,
    pub recent: Vec<StoredResult>,
    pub bar: UptimeBar,
}

/// Mean and worst latency per bucket; `None` where nothing ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencySeries {
    pub times_ms: Vec<i64>,
    pub step_ms: i64,
    pub mean_ms: Vec<Option<f64>>,
    pub max_ms: Vec<Option<f64>>,
}

#[server(prefix = "/rpc", endpoint = "health_overview")]
pub async fn fetch_health_overview(window: String) -> Result<HealthOverview, AppError> {
    let db = crate::state::app_state()?.db;
    let (start, end) = super::window_ns(&window);
    let records = db.checks().await?;
    let ids: Vec<i64> = records.iter().map(|c| c.id).collect();
    let mut bars = db.check_uptime_bars(&ids, start, end, BAR_SLOTS).await?;
    let mut periods = db.check_uptime_periods(&ids, end).await?;
    let (bar_from, slot) = crate::storage::checks::bar_slots(start, end, BAR_SLOTS);
    let checks = records
        .into_iter()
        .map(|record| {
            let slots = bars.remove(&record.id).unwrap_or_default();
            let uptime_24h = periods.remove(&record.id).and_then(|p| p[0].fraction_up());
            ssr::summary(record, uptime_24h, ssr::bar(bar_from, slot, &slots))
        })
        .collect::<Vec<_>>();
    Ok(HealthOverview { checks })
}

/// Services that sent spans in the window but have no check. Separate from
/// the overview because it reads spans: the grid refreshes every few
/// seconds, the suggestions only with the page.
#[server(prefix = "/rpc", endpoint = "check_suggestions")]
pub async fn fetch_check_suggestions(window: String) -> Result<Vec<CheckSuggestion>, AppError> {
    let db = crate::state::app_state()?.db;
    let (start, end) = super::window_ns(&window);
    let checked: Vec<String> = db
        .checks()
        .await?
        .into_iter()
        .map(|c| c.spec.service)
        .collect();
    ssr::suggestions(&db, &checked, start, end).await
}

#[server(prefix = "/rpc", endpoint = "check_detail")]
pub async fn fetch_check_detail(id: i64, window: String) -> Result<Option<CheckDetail>, AppError> {
    let db = crate::state::app_state()?.db;
    let Some(record) = db.check(id).await? else {
        return Ok(None);
    };
    let (start, end) = super::window_ns(&window);
    let bar = db.check_uptime_bars(&[id], start, end, BAR_SLOTS).await?;
    let periods = db.check_uptime_periods(&[id], end).await?;
    let uptime = periods
        .get(&id)
        .map(|p| p.map(|u| u.fraction_up()))
        .unwrap_or_default();
    let latency = ssr::latency_series(&db, id, start, end).await?;
    Ok(Some(CheckDetail {
        form: CheckForm::from_spec(&record.spec),
        uptime,
        percentiles: db.check_latency_percentiles(id, start / 1_000_000).await?,
        latency,
        events: db.check_events(id, EVENTS).await?,
        last_failure: db.last_check_failure(id).await?,
        recent: db.check_results(id, 0, RECENT_RESULTS).await?,
        bar: {
            let (from, slot) = crate::storage::checks::bar_slots(start, end, BAR_SLOTS);
            let slots = bar.get(&id).map(Vec::as_slice).unwrap_or_default();
            ssr::bar(from, slot, slots)
        },
        record,
    }))
}

/// Creates a check (`id` None) or replaces one; the id it has.
#[server(prefix = "/rpc", endpoint = "save_check")]
pub async fn save_check(id: Option<i64>, form: CheckForm) -> Result<i64, AppError> {
    use crate::model::audit::AuditAction;
    let user = crate::auth::require(crate::model::role::Role::Admin)?;
    let db = crate::state::app_state()?.db;
    let spec = form.validate().map_err(AppError::InvalidInput)?;
    let (id, action) = match id {
        None => {
            let source = crate::model::check::CheckSource::Ui;
            (
                db.create_check(&spec, source).await?,
                AuditAction::CheckCreate,
            )
        }
        Some(id) => {
            ssr::editable(&db, id).await?;
            if !db.update_check(id, &spec).await? {
                return Err(AppError::NotFound("check".to_owned()));
            }
            (id, AuditAction::CheckUpdate)
        }
    };
    crate::auth::audit(&user, action, &spec.name, "").await;
    Ok(id)
}

#[server(prefix = "/rpc", endpoint = "pause_check")]
pub async fn pause_check(id: i64, paused: bool) -> Result<(), AppError> {
    use crate::model::audit::AuditAction;
    let user = crate::auth::require(crate::model::role::Role::Responder)?;
    let db = crate::state::app_state()?.db;
    let record = db.check(id).await?;
    let record = record.ok_or_else(|| AppError::NotFound("check".to_owned()))?;
    // Pausing is operational, so file checks may be paused too.
    if !db.set_check_paused(id, paused).await? {
        return Err(AppError::NotFound("check".to_owned()));
    }
    let action = match paused {
        true => AuditAction::CheckPause,
        false => AuditAction::CheckResume,
    };
    crate::auth::audit(&user, action, &record.spec.name, "").await;
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "delete_check")]
pub async fn delete_check(id: i64) -> Result<(), AppError> {
    use crate::model::audit::AuditAction;
    let user = crate::auth::require(crate::model::role::Role::Admin)?;
    let db = crate::state::app_state()?.db;
    let name = ssr::editable(&db, id).await?;
    if !db.delete_check(id).await? {
        return Err(AppError::NotFound("check".to_owned()));
    }
    crate::auth::audit(&user, AuditAction::CheckDelete, &name, "").await;
    Ok(())
}

/// The reported dependencies of a result that are not healthy.
pub fn failing_dependencies(record: &CheckRecord) -> Vec<String> {
    let dependencies = record.last_result.iter().flat_map(|r| &r.dependencies);
    dependencies
        .filter(|d| d.state != CheckState::Healthy)
        .map(|d| format!("{} ({})", d.name, d.state.as_str()))
        .collect()
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::*;
    use crate::storage::Database;

    /// A bar from `from_ns` of slots `slot_ns` long.
    pub(crate) fn bar(from_ns: i64, slot_ns: i64, slots: &[Uptime]) -> UptimeBar {
        UptimeBar {
            from_ms: from_ns / 1_000_000,
            slot_ms: slot_ns / 1_000_000,
            slots: slots.iter().map(BarSlot::of).collect(),
        }
    }

    pub fn summary(record: CheckRecord, uptime_24h: Option<f64>, bar: UptimeBar) -> CheckSummary {
        let failing_dependencies = failing_dependencies(&record);
        let last = record.last_result.as_ref();
        CheckSummary {
            id: record.id,
            latency_ms: last.map(|r| r.latency_ms),
            reason: last.and_then(|r| r.reason.clone()),
            failing_dependencies,
            name: record.spec.name,
            service: record.spec.service,
            check_type: record.spec.check_type,
            target: record.spec.target,
            state: record.state,
            state_since_ms: record.state_since_ms,
            paused: record.spec.paused,
            source: record.source,
            labels: record.spec.labels,
            uptime_24h,
            bar,
        }
    }

    /// The check's name, when it may be edited here.
    pub async fn editable(db: &Database, id: i64) -> Result<String, AppError> {
        let record = db.check(id).await?;
        let record = record.ok_or_else(|| AppError::NotFound("check".to_owned()))?;
        record
            .editable()
            .map_err(|why| AppError::Refused(why.to_owned()))?;
        Ok(record.spec.name)
    }

    pub async fn latency_series(
        db: &Database,
        id: i64,
        start: i64,
        end: i64,
    ) -> Result<LatencySeries, AppError> {
        let buckets = db
            .check_latency_series(id, start, end, LATENCY_BUCKETS)
            .await?;
        let step_ns = ((end - start) / LATENCY_BUCKETS as i64).max(1);
        let mut mean_ms = vec![None; LATENCY_BUCKETS];
        let mut max_ms = vec![None; LATENCY_BUCKETS];
        for bucket in buckets {
            mean_ms[bucket.slot] = Some(bucket.mean_ms);
            max_ms[bucket.slot] = Some(bucket.max_ms);
        }
        Ok(LatencySeries {
            times_ms: (0..LATENCY_BUCKETS as i64)
                .map(|i| (start + i * step_ns) / 1_000_000)
                .collect(),
            step_ms: step_ns / 1_000_000,
            mean_ms,
            max_ms,
        })
    }

    /// Services that sent spans in the window and have no check, each with
    /// a URL guessed from a span it served, when one says where it listens.
    pub async fn suggestions(
        db: &Database,
        checked: &[String],
        start: i64,
        end: i64,
    ) -> Result<Vec<CheckSuggestion>, AppError> {
        use crate::storage::query::TraceSearch;

        let services = db.service_red(start, end, 1).await?;
        let unchecked = services
            .into_iter()
            .map(|s| s.name)
            .filter(|name| !checked.contains(name))
            .take(SUGGESTIONS);
        let mut suggestions = Vec::new();
        for service in unchecked {
            let served = TraceSearch {
                service: Some(service.clone()),
                tags: vec![("span.kind".to_owned(), "server".to_owned())],
                start_ns: start,
                end_ns: end,
                limit: 1,
                ..TraceSearch::default()
            };
            let ids = db.find_trace_ids(&served).await?;
            let traces = db.load_traces(&ids).await?;
            let url = traces.iter().find_map(|trace| {
                trace
                    .spans
                    .iter()
                    .filter(|span| span.kind == crate::model::span::SpanKind::Server)
                    .filter(|span| {
                        let resource = trace.resources.get(span.resource);
                        resource.is_some_and(|r| r.service == service)
                    })
                    .find_map(|span| crate::model::peer::health_url_suggestion(&span.attributes))
            });
            suggestions.push(CheckSuggestion { service, url });
        }
        Ok(suggestions)
    }
}
