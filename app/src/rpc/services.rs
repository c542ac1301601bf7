//! Data for the Services and Service pages.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::red::{OperationRed, RedFigures, RedPoint, ServiceRed};
use crate::model::trace::TraceSummary;

/// Points in a sparkline on the Services page.
pub const SPARKLINE_BUCKETS: usize = 30;
/// About this many points in a service's charts.
#[cfg(feature = "ssr")]
const CHART_POINTS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicesOverview {
    pub window_seconds: f64,
    pub services: Vec<ServiceRed>,
    /// What each service's health checks say, by service name.
    pub checks: std::collections::BTreeMap<String, crate::model::check::ServiceChecks>,
}

#[server(prefix = "/rpc", endpoint = "services_overview")]
pub async fn fetch_services_overview(window: String) -> Result<ServicesOverview, AppError> {
    let db = crate::state::app_state()?.db;
    let (start, end) = super::window_ns(&window);
    let services = db.service_red(start, end, SPARKLINE_BUCKETS).await?;
    let checks = crate::model::check::service_checks(&db.checks().await?);
    Ok(ServicesOverview {
        window_seconds: (end - start) as f64 / 1e9,
        services,
        checks,
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDetail {
    pub window_seconds: f64,
    pub step_seconds: f64,
    pub total: RedFigures,
    pub series: Vec<RedPoint>,
    pub operations: Vec<OperationRed>,
    pub recent_errors: Vec<TraceSummary>,
    pub slowest: Vec<TraceSummary>,
    /// What this service calls (services and virtual nodes), from the map.
    pub dependencies: Vec<crate::model::map::EdgeFigures>,
}

/// How many traces each of the error and slowest lists shows.
#[cfg(feature = "ssr")]
const TRACE_LIST: usize = 8;

#[server(prefix = "/rpc", endpoint = "service_detail")]
pub async fn fetch_service_detail(
    service: String,
    window: String,
) -> Result<ServiceDetail, AppError> {
    use crate::storage::query::TraceSearch;

    let db = crate::state::app_state()?.db;
    let (start, end) = super::window_ns(&window);
    // Whole minutes, about CHART_POINTS of them.
    let step = ((end - start) / CHART_POINTS).max(60_000_000_000) / 60_000_000_000 * 60_000_000_000;
    let series = db.service_red_series(&service, start, end, step).await?;
    let (total, operations) = db.operation_red(&service, start, end).await?;
    let errors = TraceSearch {
        service: Some(service.clone()),
        start_ns: start,
        end_ns: end,
        limit: TRACE_LIST,
        errors_only: true,
        ..TraceSearch::default()
    };
    let error_ids = db.find_trace_ids(&errors).await?;
    let slow_ids = db
        .slowest_trace_ids(&service, start, end, TRACE_LIST)
        .await?;
    let summaries = |traces: Vec<crate::model::trace::Trace>| {
        traces.iter().map(TraceSummary::of).collect::<Vec<_>>()
    };
    let dependencies = db
        .edges(start, end)
        .await?
        .into_iter()
        .filter(|edge| edge.caller == service)
        .collect();
    Ok(ServiceDetail {
        dependencies,
        window_seconds: (end - start) as f64 / 1e9,
        step_seconds: step as f64 / 1e9,
        total,
        series,
        operations,
        recent_errors: summaries(db.load_traces(&error_ids).await?),
        slowest: summaries(db.load_traces(&slow_ids).await?),
    })
}

/// Every service name, for pickers.
#[server(prefix = "/rpc", endpoint = "service_names")]
pub async fn service_names() -> Result<Vec<String>, AppError> {
    Ok(crate::state::app_state()?.db.service_names().await?)
}

/// A service's operation names, for the search form.
#[server(prefix = "/rpc", endpoint = "operation_names")]
pub async fn operation_names(service: String) -> Result<Vec<String>, AppError> {
    let operations = crate::state::app_state()?
        .db
        .operations_of(&service, None)
        .await?;
    let mut names: Vec<String> = operations.into_iter().map(|o| o.name).collect();
    names.dedup();
    Ok(names)
}
