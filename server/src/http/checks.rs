//! The check registry's JSON API, `/api/v1/checks`: list, create, read,
//! update, delete, pause and resume. Bodies are `CheckInput`, validated by
//! the same rules as the form and the checks file; reads add the id, state,
//! last result and reported dependencies.

use app::auth::Access;
use app::model::audit::AuditAction;
use app::model::check::{CheckRecord, CheckSource, CheckState, DependencyStatus, ProbeResult};
use app::model::check_input::CheckInput;
use app::model::role::Role;
use app::storage::Database;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post, put};
use serde::Serialize;

use super::error::ApiError;
use crate::accounts::access::ApiRoute;
use crate::accounts::audit::{self, Caller};
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

/// Reading is for viewers, pausing for responders, changing for admins.
pub fn routes() -> Vec<ApiRoute> {
    let (viewer, responder, admin) = (
        Access::Signed(Role::Viewer),
        Access::Signed(Role::Responder),
        Access::Signed(Role::Admin),
    );
    vec![
        ApiRoute::new(Method::GET, "/api/v1/checks", viewer, get(list)),
        ApiRoute::new(Method::POST, "/api/v1/checks", admin, post(create)),
        ApiRoute::new(Method::GET, "/api/v1/checks/{id}", viewer, get(read)),
        ApiRoute::new(Method::PUT, "/api/v1/checks/{id}", admin, put(update)),
        ApiRoute::new(Method::DELETE, "/api/v1/checks/{id}", admin, delete(remove)),
        ApiRoute::new(
            Method::POST,
            "/api/v1/checks/{id}/pause",
            responder,
            post(pause),
        ),
        ApiRoute::new(
            Method::POST,
            "/api/v1/checks/{id}/resume",
            responder,
            post(resume),
        ),
    ]
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
    caller: Caller,
    body: Result<Json<CheckInput>, JsonRejection>,
) -> Result<(StatusCode, Json<CheckView>), ApiError> {
    let spec = valid_spec(body)?;
    let id = db(&state).create_check(&spec, CheckSource::Api).await?;
    audit::record(
        &state,
        &caller.actor,
        AuditAction::CheckCreate,
        &spec.name,
        "",
    )
    .await;
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
    caller: Caller,
    Path(id): Path<i64>,
    body: Result<Json<CheckInput>, JsonRejection>,
) -> Result<Json<CheckView>, ApiError> {
    editable(&found(db(&state), id).await?)?;
    let spec = valid_spec(body)?;
    if !db(&state).update_check(id, &spec).await? {
        return Err(ApiError::NotFound("check"));
    }
    audit::record(
        &state,
        &caller.actor,
        AuditAction::CheckUpdate,
        &spec.name,
        "",
    )
    .await;
    Ok(Json(CheckView::of(found(db(&state), id).await?)))
}

async fn remove(
    State(state): State<ServerState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let record = found(db(&state), id).await?;
    editable(&record)?;
    if !db(&state).delete_check(id).await? {
        return Err(ApiError::NotFound("check"));
    }
    let name = &record.spec.name;
    audit::record(&state, &caller.actor, AuditAction::CheckDelete, name, "").await;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_paused(
    state: &ServerState,
    caller: Caller,
    id: i64,
    paused: bool,
) -> Result<Json<CheckView>, ApiError> {
    // Pausing is allowed for file checks too: it is an operational switch
    // (e.g. during maintenance), not a change of definition.
    if !db(state).set_check_paused(id, paused).await? {
        return Err(ApiError::NotFound("check"));
    }
    let record = found(db(state), id).await?;
    let action = match paused {
        true => AuditAction::CheckPause,
        false => AuditAction::CheckResume,
    };
    audit::record(state, &caller.actor, action, &record.spec.name, "").await;
    Ok(Json(CheckView::of(record)))
}

async fn pause(
    State(state): State<ServerState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<CheckView>, ApiError> {
    set_paused(&state, caller, id, true).await
}

async fn resume(
    State(state): State<ServerState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<CheckView>, ApiError> {
    set_paused(&state, caller, id, false).await
}
