//! Jaeger's HTTP query API v1 (`/api/…`), so Grafana's Jaeger data source
//! and the Jaeger UI work against Watchpost unchanged. Handlers parse, ask
//! the storage layer, and map to Jaeger's JSON; nothing else.

mod error;
mod model;
pub mod params;

pub use error::JaegerError;
pub use model::{JaegerTrace, to_jaeger};

use app::auth::Access;
use app::model::role::Role;
use app::model::span::SpanKind;
use app::storage::query::TraceSearch;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::routing::get;
use serde::Serialize;

use crate::accounts::access::ApiRoute;
use crate::startup::ServerState;

/// Jaeger's `structuredResponse`.
#[derive(Debug, Serialize)]
pub struct Envelope<T> {
    pub data: T,
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
    pub errors: Option<()>,
}

fn envelope<T>(data: Vec<T>) -> Json<Envelope<Vec<T>>> {
    Json(Envelope {
        total: data.len(),
        data,
        limit: 0,
        offset: 0,
        errors: None,
    })
}

type Pairs = Vec<(String, String)>;

/// The query string as ordered pairs (keys may repeat, as `traceID` does).
fn pairs(query: Result<Query<Pairs>, QueryRejection>) -> Result<Pairs, JaegerError> {
    query.map(|Query(pairs)| pairs).map_err(|rejection| {
        JaegerError::BadParameter(params::ParamError {
            parameter: "query",
            message: format!("unable to parse the query string: {rejection}"),
        })
    })
}

fn now_ns() -> i64 {
    chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX)
}

/// Reads, for viewers.
pub fn routes() -> Vec<ApiRoute> {
    let viewer = Access::Signed(Role::Viewer);
    let route = |path, handler| ApiRoute::new(Method::GET, path, viewer, handler);
    vec![
        route("/api/services", get(services)),
        route(
            "/api/services/{service}/operations",
            get(service_operations),
        ),
        route("/api/operations", get(operations)),
        route("/api/traces", get(find_traces)),
        route("/api/traces/{trace_id}", get(trace_by_id)),
        route("/api/dependencies", get(dependencies)),
    ]
}

async fn services(
    State(state): State<ServerState>,
) -> Result<impl axum::response::IntoResponse, JaegerError> {
    Ok(envelope(state.app.db.service_names().await?))
}

async fn service_operations(
    State(state): State<ServerState>,
    Path(service): Path<String>,
) -> Result<impl axum::response::IntoResponse, JaegerError> {
    let mut names: Vec<String> = state
        .app
        .db
        .operations_of(&service, None)
        .await?
        .into_iter()
        .map(|operation| operation.name)
        .collect();
    names.dedup();
    Ok(envelope(names))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Operation {
    name: String,
    span_kind: &'static str,
}

async fn operations(
    State(state): State<ServerState>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Result<impl axum::response::IntoResponse, JaegerError> {
    let query = params::parse_operations_query(&pairs(query)?)?;
    let kind = query.span_kind.map(span_kind_of);
    let operations = state
        .app
        .db
        .operations_of(&query.service, kind)
        .await?
        .into_iter()
        .map(|operation| Operation {
            name: operation.name,
            span_kind: operation.kind.otel_name().unwrap_or(""),
        })
        .collect();
    Ok(envelope(operations))
}

fn span_kind_of(filter: params::SpanKindFilter) -> SpanKind {
    match filter {
        params::SpanKindFilter::Server => SpanKind::Server,
        params::SpanKindFilter::Client => SpanKind::Client,
        params::SpanKindFilter::Producer => SpanKind::Producer,
        params::SpanKindFilter::Consumer => SpanKind::Consumer,
        params::SpanKindFilter::Internal => SpanKind::Internal,
        params::SpanKindFilter::Unspecified => SpanKind::Unspecified,
    }
}

async fn find_traces(
    State(state): State<ServerState>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Result<impl axum::response::IntoResponse, JaegerError> {
    let query = params::parse_trace_query(&pairs(query)?, now_ns())?;
    let db = &state.app.db;
    // As in Jaeger: trace ids, when given, are the whole query.
    let ids = if query.trace_ids.is_empty() {
        let search = TraceSearch {
            service: query.service,
            operation: query.operation,
            tags: query.tags,
            min_duration_ns: query.min_duration_ns,
            max_duration_ns: query.max_duration_ns,
            start_ns: query.start_ns,
            end_ns: query.end_ns,
            limit: query.limit,
            errors_only: false,
        };
        db.find_trace_ids(&search).await?
    } else {
        query.trace_ids
    };
    let traces = db.load_traces(&ids).await?;
    Ok(envelope(traces.iter().map(to_jaeger).collect()))
}

async fn trace_by_id(
    State(state): State<ServerState>,
    Path(trace_id): Path<String>,
) -> Result<impl axum::response::IntoResponse, JaegerError> {
    let id = params::parse_trace_id(&trace_id)?;
    let trace = state
        .app
        .db
        .load_trace(id)
        .await?
        .ok_or(JaegerError::TraceNotFound)?;
    Ok(envelope(vec![to_jaeger(&trace)]))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    parent: String,
    child: String,
    call_count: u64,
}

async fn dependencies(
    State(state): State<ServerState>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Result<impl axum::response::IntoResponse, JaegerError> {
    let query = params::parse_dependencies_query(&pairs(query)?, now_ns())?;
    // From the service map's edge rollups: virtual nodes (a database, an
    // external API) appear as children under their own names.
    let links = state
        .app
        .db
        .edges(query.end_ns.saturating_sub(query.lookback_ns), query.end_ns)
        .await?
        .into_iter()
        .map(|edge| Dependency {
            parent: edge.caller,
            child: edge.callee.name,
            call_count: edge.client.requests,
        })
        .collect();
    Ok(envelope(links))
}
