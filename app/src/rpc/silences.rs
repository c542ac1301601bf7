//! Server functions for silences on the Alerts page: the list, a new
//! silence or maintenance window, "mute until resolved", and expiring one
//! (responders and admins; see `auth::rpc_access`).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::silence::Silence;
use crate::model::silence_form::SilenceForm;

/// Current silences: active first, then pending.
#[server(prefix = "/rpc", endpoint = "silences_list")]
pub async fn silences_list() -> Result<Vec<Silence>, AppError> {
    crate::auth::require(crate::model::role::Role::Viewer)?;
    let db = crate::state::app_state()?.db;
    Ok(db.silences(chrono::Utc::now(), false, 200).await?)
}

/// Stores a checked silence as the signed-in responder, with its audit
/// record; the id.
#[cfg(feature = "ssr")]
async fn create(input: crate::model::silence_input::SilenceInput) -> Result<i64, AppError> {
    use crate::model::audit::AuditAction;
    let user = crate::auth::require(crate::model::role::Role::Responder)?;
    let db = crate::state::app_state()?.db;
    let spec = db
        .check_silence(&input, chrono::Utc::now())
        .await?
        .map_err(AppError::InvalidInput)?;
    let id = db.create_silence(&spec, &user.username).await?;
    let matchers = crate::model::silence::Silence::matchers_text_of(&spec.matchers);
    crate::auth::audit(&user, AuditAction::SilenceCreate, &matchers, &spec.comment).await;
    Ok(id)
}

#[server(prefix = "/rpc", endpoint = "create_silence")]
pub async fn create_silence(form: SilenceForm) -> Result<i64, AppError> {
    create(form.to_input().map_err(AppError::InvalidInput)?).await
}

/// Mutes one alert until it resolves.
#[server(prefix = "/rpc", endpoint = "mute_alert")]
pub async fn mute_alert(id: i64, comment: String) -> Result<i64, AppError> {
    create(crate::model::silence_input::SilenceInput {
        alert_id: Some(id),
        comment,
        ..Default::default()
    })
    .await
}

/// Ends a silence now.
#[server(prefix = "/rpc", endpoint = "expire_silence")]
pub async fn expire_silence(id: i64) -> Result<(), AppError> {
    use crate::model::audit::AuditAction;
    let user = crate::auth::require(crate::model::role::Role::Responder)?;
    let db = crate::state::app_state()?.db;
    let silence = db
        .silence(id, chrono::Utc::now())
        .await?
        .ok_or_else(|| AppError::NotFound("silence".to_owned()))?;
    if !db.expire_silence(id, &user.username).await? {
        return Err(AppError::Refused("the silence is over already".to_owned()));
    }
    crate::auth::audit(
        &user,
        AuditAction::SilenceExpire,
        &silence.matchers_text(),
        "",
    )
    .await;
    Ok(())
}
