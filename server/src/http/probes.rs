//! Probes for orchestrators and load balancers.

use app::storage::Readiness;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::ApiError;
use crate::startup::ServerState;

/// Liveness: the process is up and answering. Deliberately independent of
/// the database, so a database outage never gets Watchpost restarted.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database answers and carries every migration of this build.
pub async fn readyz(State(state): State<ServerState>) -> Result<Json<Value>, ApiError> {
    match state.app.db.readiness().await {
        Readiness::Ready => Ok(Json(json!({ "status": "ready" }))),
        Readiness::MigrationsPending { .. } => Err(ApiError::Unavailable {
            reason: "database migrations are not applied yet",
        }),
        Readiness::Unreachable(_) => Err(ApiError::Unavailable {
            reason: "database unreachable",
        }),
    }
}
