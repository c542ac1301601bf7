//! The ingest-key JSON API, `/api/v1/ingest-keys`: list, create (the only
//! answer that ever holds a key) and revoke. Lists show names, prefixes and
//! times, never keys or hashes.
//!
//! Admins only (see `routes`).

use app::auth::Access;
use app::model::audit::AuditAction;
use app::model::role::Role;
use app::search_form::FieldError;
use app::storage::StorageError;
use app::storage::ingest_keys::IngestKeyRecord;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use crate::accounts::access::ApiRoute;
use crate::accounts::audit::{self, Caller};
use crate::ingest::auth::key::{self, KeyHash, NewKey};
use crate::startup::ServerState;

#[derive(Debug, Serialize)]
pub struct KeyView {
    pub id: i64,
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl KeyView {
    fn of(record: IngestKeyRecord) -> KeyView {
        KeyView {
            id: record.id,
            name: record.name,
            prefix: record.prefix,
            created_at: rfc3339(record.created_at),
            last_used_at: record.last_used_at.map(rfc3339),
            revoked_at: record.revoked_at.map(rfc3339),
        }
    }
}

/// The answer to a create: the key, this once.
#[derive(Serialize)]
pub struct CreatedKey {
    #[serde(flatten)]
    pub view: KeyView,
    pub key: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewKeyInput {
    pub name: String,
}

/// Ingest keys are admins' business, reading the list included: it says
/// which systems send data.
pub fn routes() -> Vec<ApiRoute> {
    let admin = Access::Signed(Role::Admin);
    vec![
        ApiRoute::new(Method::GET, "/api/v1/ingest-keys", admin, get(list)),
        ApiRoute::new(Method::POST, "/api/v1/ingest-keys", admin, post(create)),
        ApiRoute::new(
            Method::POST,
            "/api/v1/ingest-keys/{name}/revoke",
            admin,
            post(revoke),
        ),
    ]
}

fn name_error(message: &str) -> ApiError {
    ApiError::Invalid(vec![FieldError {
        field: "name".to_owned(),
        message: message.to_owned(),
    }])
}

async fn list(State(state): State<ServerState>) -> Result<Json<Vec<KeyView>>, ApiError> {
    let keys = state.app.db.ingest_keys().await?;
    Ok(Json(keys.into_iter().map(KeyView::of).collect()))
}

async fn create(
    State(state): State<ServerState>,
    caller: Caller,
    body: Result<Json<NewKeyInput>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    let Json(input) = body.map_err(|rejection| ApiError::Malformed(rejection.body_text()))?;
    key::check_name(&input.name).map_err(name_error)?;
    let new = NewKey::generate().map_err(|error| {
        tracing::error!(error = %error, "ingest key not created");
        ApiError::Internal
    })?;
    let record = match state
        .app
        .db
        .create_ingest_key(&input.name, &new.prefix, &new.hash)
        .await
    {
        Err(StorageError::NameTaken) => {
            return Err(name_error("another ingest key already has this name"));
        }
        other => other?,
    };
    state.ingest_keys.added(new.hash).await;
    tracing::info!(name = %record.name, prefix = %record.prefix, "ingest key created");
    audit::record(
        &state,
        &caller.actor,
        AuditAction::KeyCreate,
        &record.name,
        "",
    )
    .await;
    Ok((
        StatusCode::CREATED,
        Json(CreatedKey {
            view: KeyView::of(record),
            key: new.key,
        }),
    ))
}

async fn revoke(
    State(state): State<ServerState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<KeyView>, ApiError> {
    let revoked = state
        .app
        .db
        .revoke_ingest_key(&name)
        .await?
        .ok_or(ApiError::NotFound("ingest key"))?;
    if let Ok(hash) = KeyHash::try_from(revoked.key_hash.as_slice()) {
        state.ingest_keys.revoked(hash).await;
    }
    tracing::info!(name = %revoked.record.name, "ingest key revoked");
    let name = &revoked.record.name;
    audit::record(&state, &caller.actor, AuditAction::KeyRevoke, name, "").await;
    Ok(Json(KeyView::of(revoked.record)))
}
