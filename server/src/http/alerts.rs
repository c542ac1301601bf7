//! The alerts JSON API: `/api/v1/alerts` (list, one, acknowledge,
//! un-acknowledge, resolve) and `/api/v1/rules` (read). Reading is for
//! viewers; the on-call actions for responders.

use app::auth::Access;
use app::model::alert::{Alert, AlertRule, AlertState};
use app::model::alert_rule_input::{RuleInput, RuleSpec};
use app::model::audit::AuditAction;
use app::model::role::Role;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::routing::{delete, get, post, put};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use crate::accounts::access::ApiRoute;
use crate::accounts::audit::{self, Caller};
use crate::startup::ServerState;

pub fn routes() -> Vec<ApiRoute> {
    let (viewer, responder, admin) = (
        Access::Signed(Role::Viewer),
        Access::Signed(Role::Responder),
        Access::Signed(Role::Admin),
    );
    vec![
        ApiRoute::new(Method::GET, "/api/v1/alerts", viewer, get(list)),
        ApiRoute::new(Method::GET, "/api/v1/alerts/{id}", viewer, get(one)),
        ApiRoute::new(
            Method::GET,
            "/api/v1/alerts/{id}/history",
            viewer,
            get(history),
        ),
        ApiRoute::new(
            Method::POST,
            "/api/v1/alerts/{id}/ack",
            responder,
            post(ack),
        ),
        ApiRoute::new(
            Method::POST,
            "/api/v1/alerts/{id}/unack",
            responder,
            post(unack),
        ),
        ApiRoute::new(
            Method::POST,
            "/api/v1/alerts/{id}/resolve",
            responder,
            post(resolve),
        ),
        ApiRoute::new(Method::GET, "/api/v1/rules", viewer, get(rules)),
        ApiRoute::new(Method::POST, "/api/v1/rules", admin, post(create_rule)),
        ApiRoute::new(Method::GET, "/api/v1/rules/{id}", viewer, get(rule)),
        ApiRoute::new(Method::PUT, "/api/v1/rules/{id}", admin, put(update_rule)),
        ApiRoute::new(
            Method::DELETE,
            "/api/v1/rules/{id}",
            admin,
            delete(delete_rule),
        ),
    ]
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// An alert as the API shows it.
#[derive(Debug, Serialize)]
pub struct AlertView {
    pub id: i64,
    pub rule_id: i64,
    pub rule: String,
    pub kind: &'static str,
    pub threshold: f64,
    pub service: String,
    pub severity: &'static str,
    pub state: &'static str,
    pub value: Option<f64>,
    /// When it started firing, or pending while it has not.
    pub since: String,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<String>,
    pub comment: Option<String>,
    pub runbook_url: String,
    /// The silence muting it, if any.
    pub silenced_by: Option<i64>,
    /// Services downstream, firing or down, where its trouble starts.
    pub impacted_by: Vec<String>,
    pub labels: std::collections::BTreeMap<String, String>,
}

impl AlertView {
    fn of(alert: Alert) -> AlertView {
        let labels = alert.labels();
        AlertView {
            id: alert.id,
            rule_id: alert.rule_id,
            rule: alert.rule,
            kind: alert.kind.as_str(),
            threshold: alert.threshold,
            service: alert.service,
            severity: alert.severity.as_str(),
            state: alert.state.as_str(),
            value: alert.value,
            since: rfc3339(alert.firing_since.unwrap_or(alert.pending_since)),
            resolved_at: alert.resolved_at.map(rfc3339),
            resolved_by: alert.resolved_by,
            acknowledged_by: alert.acknowledged_by,
            acknowledged_at: alert.acknowledged_at.map(rfc3339),
            labels,
            comment: alert.ack_comment,
            runbook_url: alert.runbook_url,
            silenced_by: alert.silenced_by,
            impacted_by: alert.impacted_by,
        }
    }
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    state: Option<String>,
    service: Option<String>,
    limit: Option<i64>,
}

async fn list(
    State(state): State<ServerState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<AlertView>>, ApiError> {
    let wanted = match query.state.as_deref() {
        None | Some("") => None,
        Some(text) => Some(AlertState::parse(text).ok_or_else(|| {
            ApiError::Malformed(format!(
                "state {text:?} is not one of pending, firing, resolved"
            ))
        })?),
    };
    let limit = query.limit.unwrap_or(200).clamp(1, 1000);
    let alerts = state
        .app
        .db
        .alerts(wanted, query.service.as_deref(), limit)
        .await?;
    let alerts = state.app.db.with_root_causes(alerts, Utc::now()).await?;
    Ok(Json(alerts.into_iter().map(AlertView::of).collect()))
}

async fn found(state: &ServerState, id: i64) -> Result<Alert, ApiError> {
    state
        .app
        .db
        .alert(id)
        .await?
        .ok_or(ApiError::NotFound("alert"))
}

async fn one(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
) -> Result<Json<AlertView>, ApiError> {
    Ok(Json(AlertView::of(found(&state, id).await?)))
}

/// Every state change of the alert, oldest first, with the value that
/// caused it.
async fn history(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<app::model::alert::AlertTransition>>, ApiError> {
    found(&state, id).await?;
    Ok(Json(state.app.db.alert_transitions(id).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AckBody {
    #[serde(default)]
    comment: String,
}

/// At most this many characters of comment.
const MAX_COMMENT: usize = 2_000;

/// An on-call action on an open alert: `act` changes it (false: it is
/// resolved already, `refused` says so), then the audit record; the alert
/// as it is afterwards.
async fn on_call<Act, Done>(
    state: &ServerState,
    caller: &Caller,
    id: i64,
    (action, detail, refused): (AuditAction, &str, &'static str),
    act: Act,
) -> Result<Json<AlertView>, ApiError>
where
    Act: FnOnce(app::storage::Database) -> Done,
    Done: std::future::Future<Output = Result<bool, app::storage::StorageError>>,
{
    let alert = found(state, id).await?;
    if !act(state.app.db.clone()).await? {
        return Err(ApiError::Conflict(refused));
    }
    let target = format!("{} on {}", alert.rule, alert.service);
    audit::record(state, &caller.actor, action, &target, detail).await;
    Ok(Json(AlertView::of(found(state, id).await?)))
}

async fn ack(
    State(state): State<ServerState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Json<AlertView>, ApiError> {
    // The body is optional: no comment, no body.
    let body: AckBody = if body.iter().all(u8::is_ascii_whitespace) {
        AckBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|error| ApiError::Malformed(format!("invalid JSON body: {error}")))?
    };
    let comment = body.comment.trim().to_owned();
    if comment.chars().count() > MAX_COMMENT {
        return Err(ApiError::Invalid(vec![app::search_form::FieldError {
            field: "comment".to_owned(),
            message: format!("a comment has at most {MAX_COMMENT} characters"),
        }]));
    }
    let by = caller.user.username.clone();
    let detail = comment.clone();
    let what = (
        AuditAction::AlertAck,
        detail.as_str(),
        "the alert is resolved",
    );
    on_call(&state, &caller, id, what, |db| async move {
        db.acknowledge_alert(id, &by, &comment).await
    })
    .await
}

async fn unack(
    State(state): State<ServerState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<AlertView>, ApiError> {
    let what = (AuditAction::AlertUnack, "", "the alert is resolved");
    on_call(&state, &caller, id, what, |db| async move {
        db.unacknowledge_alert(id).await
    })
    .await
}

async fn resolve(
    State(state): State<ServerState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<AlertView>, ApiError> {
    let by = caller.user.username.clone();
    let what = (
        AuditAction::AlertResolve,
        "",
        "the alert is resolved already",
    );
    on_call(&state, &caller, id, what, |db| async move {
        db.resolve_alert(id, &by).await
    })
    .await
}

async fn rules(State(state): State<ServerState>) -> Result<Json<Vec<AlertRule>>, ApiError> {
    Ok(Json(state.app.db.alert_rules(false).await?))
}

/// The body as a rule, or why not: bad JSON is a 400, bad fields (or
/// notification targets that do not exist) a 422.
async fn valid_rule(
    state: &ServerState,
    body: Result<Json<RuleInput>, axum::extract::rejection::JsonRejection>,
) -> Result<RuleSpec, ApiError> {
    let Json(input) = body.map_err(|rejection| ApiError::Malformed(rejection.body_text()))?;
    state
        .app
        .db
        .check_rule(&input)
        .await?
        .map_err(ApiError::Invalid)
}

fn rule_name_taken(error: app::storage::StorageError) -> ApiError {
    match error {
        app::storage::StorageError::NameTaken => {
            ApiError::Invalid(vec![app::search_form::FieldError {
                field: "name".to_owned(),
                message: "another rule has this name".to_owned(),
            }])
        }
        other => other.into(),
    }
}

async fn found_rule(state: &ServerState, id: i64) -> Result<AlertRule, ApiError> {
    state
        .app
        .db
        .alert_rule(id)
        .await?
        .ok_or(ApiError::NotFound("rule"))
}

async fn rule(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
) -> Result<Json<AlertRule>, ApiError> {
    Ok(Json(found_rule(&state, id).await?))
}

async fn create_rule(
    State(state): State<ServerState>,
    caller: Caller,
    body: Result<Json<RuleInput>, axum::extract::rejection::JsonRejection>,
) -> Result<(axum::http::StatusCode, Json<AlertRule>), ApiError> {
    let spec = valid_rule(&state, body).await?;
    let id = state
        .app
        .db
        .create_alert_rule(&spec)
        .await
        .map_err(rule_name_taken)?;
    audit::record(
        &state,
        &caller.actor,
        AuditAction::RuleCreate,
        &spec.name,
        "",
    )
    .await;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(found_rule(&state, id).await?),
    ))
}

async fn update_rule(
    State(state): State<ServerState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Result<Json<RuleInput>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<AlertRule>, ApiError> {
    let spec = valid_rule(&state, body).await?;
    if !state
        .app
        .db
        .update_alert_rule(id, &spec)
        .await
        .map_err(rule_name_taken)?
    {
        return Err(ApiError::NotFound("rule"));
    }
    audit::record(
        &state,
        &caller.actor,
        AuditAction::RuleUpdate,
        &spec.name,
        "",
    )
    .await;
    Ok(Json(found_rule(&state, id).await?))
}

/// Built-in rules are disabled (`"enabled": false`), not deleted: 409.
async fn delete_rule(
    State(state): State<ServerState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<axum::http::StatusCode, ApiError> {
    let rule = found_rule(&state, id).await?;
    if rule.builtin {
        return Err(ApiError::Conflict(
            "built-in rules are disabled, not deleted",
        ));
    }
    if !state.app.db.delete_alert_rule(id).await? {
        return Err(ApiError::NotFound("rule"));
    }
    audit::record(
        &state,
        &caller.actor,
        AuditAction::RuleDelete,
        &rule.name,
        "",
    )
    .await;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
