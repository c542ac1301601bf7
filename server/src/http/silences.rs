//! `/api/v1/silences`: list, read, create, change and expire silences and
//! maintenance windows. Reading is for viewers; muting is an on-call
//! action, for responders.

use app::auth::Access;
use app::model::audit::AuditAction;
use app::model::role::Role;
use app::model::silence::Silence;
use app::model::silence_input::{SilenceInput, SilenceSpec};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post, put};
use chrono::Utc;
use serde::Deserialize;

use super::error::ApiError;
use crate::accounts::access::ApiRoute;
use crate::accounts::audit::{self, Caller};
use crate::startup::ServerState;

pub fn routes() -> Vec<ApiRoute> {
    let (viewer, responder) = (
        Access::Signed(Role::Viewer),
        Access::Signed(Role::Responder),
    );
    vec![
        ApiRoute::new(Method::GET, "/api/v1/silences", viewer, get(list)),
        ApiRoute::new(Method::POST, "/api/v1/silences", responder, post(create)),
        ApiRoute::new(Method::GET, "/api/v1/silences/{id}", viewer, get(one)),
        ApiRoute::new(Method::PUT, "/api/v1/silences/{id}", responder, put(update)),
        ApiRoute::new(
            Method::DELETE,
            "/api/v1/silences/{id}",
            responder,
            delete(expire),
        ),
    ]
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    /// `all` includes expired silences.
    state: Option<String>,
    limit: Option<i64>,
}

async fn list(
    State(state): State<ServerState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<Silence>>, ApiError> {
    let include_expired = match query.state.as_deref() {
        None | Some("") | Some("current") => false,
        Some("all") => true,
        Some(other) => {
            return Err(ApiError::Malformed(format!(
                "state {other:?} is not one of current, all"
            )));
        }
    };
    let limit = query.limit.unwrap_or(200).clamp(1, 1000);
    Ok(Json(
        state
            .app
            .db
            .silences(Utc::now(), include_expired, limit)
            .await?,
    ))
}

async fn found(state: &ServerState, id: i64) -> Result<Silence, ApiError> {
    state
        .app
        .db
        .silence(id, Utc::now())
        .await?
        .ok_or(ApiError::NotFound("silence"))
}

async fn one(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
) -> Result<Json<Silence>, ApiError> {
    Ok(Json(found(&state, id).await?))
}

/// The body as a silence, or why not: bad JSON is a 400, bad fields a 422.
async fn valid(
    state: &ServerState,
    body: Result<Json<SilenceInput>, JsonRejection>,
) -> Result<SilenceSpec, ApiError> {
    let Json(input) = body.map_err(|rejection| ApiError::Malformed(rejection.body_text()))?;
    state
        .app
        .db
        .check_silence(&input, Utc::now())
        .await?
        .map_err(ApiError::Invalid)
}

async fn create(
    State(state): State<ServerState>,
    caller: Caller,
    body: Result<Json<SilenceInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Silence>), ApiError> {
    let spec = valid(&state, body).await?;
    let id = state
        .app
        .db
        .create_silence(&spec, &caller.user.username)
        .await?;
    let silence = found(&state, id).await?;
    audit::record(
        &state,
        &caller.actor,
        AuditAction::SilenceCreate,
        &silence.matchers_text(),
        &silence.comment,
    )
    .await;
    Ok((StatusCode::CREATED, Json(silence)))
}

async fn update(
    State(state): State<ServerState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Result<Json<SilenceInput>, JsonRejection>,
) -> Result<Json<Silence>, ApiError> {
    found(&state, id).await?;
    let spec = valid(&state, body).await?;
    if !state.app.db.update_silence(id, &spec).await? {
        return Err(ApiError::Conflict("the silence is over; create a new one"));
    }
    let silence = found(&state, id).await?;
    audit::record(
        &state,
        &caller.actor,
        AuditAction::SilenceUpdate,
        &silence.matchers_text(),
        &silence.comment,
    )
    .await;
    Ok(Json(silence))
}

/// Ends the silence now; it stays listed as expired.
async fn expire(
    State(state): State<ServerState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let silence = found(&state, id).await?;
    if !state
        .app
        .db
        .expire_silence(id, &caller.user.username)
        .await?
    {
        return Err(ApiError::Conflict("the silence is over already"));
    }
    audit::record(
        &state,
        &caller.actor,
        AuditAction::SilenceExpire,
        &silence.matchers_text(),
        "",
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
