//! Notification targets (`/api/v1/notification-targets`, admins) and an
//! alert's delivery log (`/api/v1/alerts/{id}/notifications`, viewers).

use app::auth::Access;
use app::model::audit::AuditAction;
use app::model::role::Role;
use app::search_form::FieldError;
use app::storage::StorageError;
use app::storage::notifications::{DeliveryRecord, NotificationTarget};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post};
use serde::Deserialize;

use super::error::ApiError;
use crate::accounts::access::ApiRoute;
use crate::accounts::audit::{self, Caller};
use crate::startup::ServerState;

pub fn routes() -> Vec<ApiRoute> {
    let (viewer, admin) = (Access::Signed(Role::Viewer), Access::Signed(Role::Admin));
    vec![
        ApiRoute::new(
            Method::GET,
            "/api/v1/notification-targets",
            admin,
            get(list),
        ),
        ApiRoute::new(
            Method::POST,
            "/api/v1/notification-targets",
            admin,
            post(create),
        ),
        ApiRoute::new(
            Method::DELETE,
            "/api/v1/notification-targets/{id}",
            admin,
            delete(remove),
        ),
        ApiRoute::new(
            Method::GET,
            "/api/v1/alerts/{id}/notifications",
            viewer,
            get(deliveries),
        ),
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTarget {
    name: String,
    #[serde(default = "default_kind")]
    kind: String,
    url: String,
    /// Like `1h` or `30m`.
    #[serde(default)]
    repeat_interval: Option<String>,
}

fn default_kind() -> String {
    "alertmanager".to_owned()
}

/// The target's fields, or a message for each wrong one.
fn validate(input: &NewTarget) -> Result<i32, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut refuse = |field: &str, message: &str| {
        errors.push(FieldError {
            field: field.to_owned(),
            message: message.to_owned(),
        })
    };
    if !(1..=64).contains(&input.name.trim().chars().count()) {
        refuse("name", "a target name is 1 to 64 characters");
    }
    if !matches!(input.kind.as_str(), "alertmanager" | "json") {
        refuse("kind", "use alertmanager or json");
    }
    if reqwest::Url::parse(&input.url)
        .map(|url| !matches!(url.scheme(), "http" | "https") || url.host_str().is_none())
        .unwrap_or(true)
    {
        refuse("url", "an http:// or https:// URL");
    }
    let repeat = match &input.repeat_interval {
        None => Ok(3600),
        Some(text) => match app::duration::parse_duration(text) {
            Ok(d) if d.as_secs() >= 60 => Ok(i32::try_from(d.as_secs()).unwrap_or(i32::MAX)),
            _ => Err(()),
        },
    };
    if repeat.is_err() {
        refuse("repeat_interval", "a duration of at least 1m, like 4h");
    }
    match repeat {
        Ok(secs) if errors.is_empty() => Ok(secs),
        _ => Err(errors),
    }
}

async fn list(State(state): State<ServerState>) -> Result<Json<Vec<NotificationTarget>>, ApiError> {
    Ok(Json(state.app.db.notification_targets().await?))
}

async fn create(
    State(state): State<ServerState>,
    caller: Caller,
    body: Result<Json<NewTarget>, JsonRejection>,
) -> Result<(StatusCode, Json<NotificationTarget>), ApiError> {
    let Json(input) = body.map_err(|rejection| ApiError::Malformed(rejection.body_text()))?;
    let repeat_secs = validate(&input).map_err(ApiError::Invalid)?;
    let name = input.name.trim();
    let target = match state
        .app
        .db
        .create_notification_target(name, &input.kind, &input.url, repeat_secs)
        .await
    {
        Err(StorageError::NameTaken) => {
            return Err(ApiError::Invalid(vec![FieldError {
                field: "name".to_owned(),
                message: "another target has this name".to_owned(),
            }]));
        }
        other => other?,
    };
    audit::record(
        &state,
        &caller.actor,
        AuditAction::TargetCreate,
        name,
        &input.kind,
    )
    .await;
    Ok((StatusCode::CREATED, Json(target)))
}

async fn remove(
    State(state): State<ServerState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    if !state.app.db.delete_notification_target(id).await? {
        return Err(ApiError::NotFound("notification target"));
    }
    audit::record(
        &state,
        &caller.actor,
        AuditAction::TargetDelete,
        &id.to_string(),
        "",
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

async fn deliveries(
    State(state): State<ServerState>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<DeliveryRecord>>, ApiError> {
    state
        .app
        .db
        .alert(id)
        .await?
        .ok_or(ApiError::NotFound("alert"))?;
    Ok(Json(state.app.db.alert_deliveries(id).await?))
}
