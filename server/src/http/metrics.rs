use app::storage::Readiness;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::self_metrics::DatabaseSnapshot;
use crate::startup::ServerState;

/// `/metrics` in the Prometheus text format.
pub async fn render(State(state): State<ServerState>) -> impl IntoResponse {
    let (connections, idle) = state.app.db.pool_usage();
    let database = DatabaseSnapshot {
        ready: matches!(state.app.db.readiness().await, Readiness::Ready),
        connections,
        idle_connections: idle,
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state
            .metrics
            .render(&database, &state.pipeline, &state.edges, &state.checks),
    )
}

/// Counts every HTTP response by status class.
pub async fn count_responses(
    State(state): State<ServerState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    state.metrics.record_http_response(response.status());
    response
}
