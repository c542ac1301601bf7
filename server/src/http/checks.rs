//! The check registry's JSON API, `/api/v1/checks`: list, create, read,
//! update, delete, pause and resume. Bodies are `CheckInput`, validated by
//! the same rules as the form and the checks file; reads add the id, state,
//! last result and reported dependencies.

use app::model::check::{CheckRecord, CheckSource, CheckState, DependencyStatus, ProbeResult};
use app::model::check_input::CheckInput;
use app::storage::Database;
use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Serialize;

use super::error::ApiError;
use crate::startup::ServerState;

/// A check as the API shows it: its settings in the form they are written,
/// plus where it stands.
#[derive(Debug, Serialize)]
pub struct CheckView {
    pub id: i64,
    #[serde(flatten)]
    pub input: CheckInput,
    pub source: CheckSource,
    pub state: CheckState,
    pub state_since: String,
    pub last_result: Option<ProbeResult>,
    pub last_result_at: Option<String>,
    pub dependencies: Vec<DependencyStatus>,
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl CheckView {
    fn of(record: CheckRecord) -> CheckView {
        CheckView {
            id: record.id,
            input: CheckInput::from_spec(&record.spec),
            source: record.source,
            state: record.state,
            state_since: rfc3339(record.state_since_ms),
            dependencies: record
                .last_result
                .as_ref()
                .map(|r| r.dependencies.clone())
                .unwrap_or_default(),
            last_result: record.last_result,
            last_result_at: record.last_result_at_ms.map(rfc3339),
        }
    }
}

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/api/v1/checks", get(list).post(create))
        .route("/api/v1/checks/{id}", get(read).put(update).delete(delete))
        .route("/api/v1/checks/{id}/pause", post(pause))
        .route("/api/v1/checks/{id}/resume", post(resume))
}

fn db(state: &ServerState) -> &Database {
    &state.app.db
}

/// The body as a check, or why not: bad JSON is a 400, bad fields a 422.
fn valid_spec(
    body: Result<Json<CheckInput>, JsonRejection>,
) -> Result<app::model::check::CheckSpec, ApiError> {
    let Json(input) = body.map_err(|rejection| ApiError::Malformed(rejection.body_text()))?;
    input.validate().map_err(ApiError::Invalid)
}

async fn found(db: &Database, id: i64) -> Result<CheckRecord, ApiError> {
    db.check(id).await?.ok_or(ApiError::NotFound("check"))
}

fn editable(record: &CheckRecord) -> Result<(), ApiError> {
    record.editable().map_err(ApiError::Conflict)
}

async fn list(State(state): State<ServerState>) -> Result<Json<Vec<CheckView>>, ApiError> {
    let checks = db(&state).checks().await?;
    Ok(Json(checks.into_iter().map(CheckView::of).collect()))
}

async fn create(
    State(state): State<ServerState>,
    body: Result<Json<CheckInput>, JsonRejection>,
) -> Result<(StatusCode, Json<CheckView>), ApiError> {
    let spec = valid_spec(body)?;
    let id = db(&state).create_check(&spec, CheckSource::Api).await?;
    let record = found(db(&state), id).await?;
    Ok((StatusCode::CREATED, Json(CheckView::of(record))))
}

async fn read(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
) -> Result<Json<CheckView>, ApiError> {
    Ok(Json(CheckView::of(found(db(&state), id).await?)))
}

async fn update(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
    body: Result<Json<CheckInput>, JsonRejection>,
) -> Result<Json<CheckView>, ApiError> {
    editable(&found(db(&state), id).await?)?;
    let spec = valid_spec(body)?;
    if !db(&state).update_check(id, &spec).await? {
        return Err(ApiError::NotFound("check"));
    }
    Ok(Json(CheckView::of(found(db(&state), id).await?)))
}

async fn delete(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    editable(&found(db(&state), id).await?)?;
    if !db(&state).delete_check(id).await? {
        return Err(ApiError::NotFound("check"));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn set_paused(
    state: &ServerState,
    id: i64,
    paused: bool,
) -> Result<Json<CheckView>, ApiError> {
    // Pausing is allowed for file checks too: it is an operational switch
    // (e.g. during maintenance), not a change of definition.
    if !db(state).set_check_paused(id, paused).await? {
        return Err(ApiError::NotFound("check"));
    }
    Ok(Json(CheckView::of(found(db(state), id).await?)))
}

async fn pause(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
) -> Result<Json<CheckView>, ApiError> {
    set_paused(&state, id, true).await
}

async fn resume(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
) -> Result<Json<CheckView>, ApiError> {
    set_paused(&state, id, false).await
}
