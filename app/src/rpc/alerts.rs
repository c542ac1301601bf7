//! Server functions of the Alerts page: the list, and the on-call actions
//! (responders and admins; see `auth::rpc_access`).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::alert::Alert;
#[cfg(feature = "ssr")]
use crate::model::alert::AlertState;

/// Alerts to show at most.
#[cfg(feature = "ssr")]
const SHOWN: i64 = 200;

/// Open alerts (firing first), or only resolved ones, or all.
#[server(prefix = "/rpc", endpoint = "alerts_list")]
pub async fn alerts_list(show: String) -> Result<Vec<Alert>, AppError> {
    crate::auth::require(crate::model::role::Role::Viewer)?;
    let db = crate::state::app_state()?.db;
    let alerts = match show.as_str() {
        "resolved" => db.alerts(Some(AlertState::Resolved), None, SHOWN).await?,
        "all" => db.alerts(None, None, SHOWN).await?,
        _ => db
            .alerts(None, None, SHOWN)
            .await?
            .into_iter()
            .filter(|a| a.state != AlertState::Resolved)
            .collect(),
    };
    Ok(db.with_root_causes(alerts, chrono::Utc::now()).await?)
}

/// One alert with its timeline and its notifications.
#[server(prefix = "/rpc", endpoint = "alert_history")]
pub async fn alert_history(id: i64) -> Result<crate::model::alert::AlertHistory, AppError> {
    crate::auth::require(crate::model::role::Role::Viewer)?;
    let db = crate::state::app_state()?.db;
    let alert = db
        .alert(id)
        .await?
        .ok_or_else(|| AppError::NotFound("alert".to_owned()))?;
    let mut alerts = db.with_root_causes(vec![alert], chrono::Utc::now()).await?;
    Ok(crate::model::alert::AlertHistory {
        alert: alerts.remove(0),
        transitions: db.alert_transitions(id).await?,
        deliveries: db.alert_deliveries(id).await?,
    })
}

/// An on-call action on an open alert, as the signed-in responder: `act`
/// changes it (false: it is resolved already), then the audit record.
#[cfg(feature = "ssr")]
async fn on_call<Act, Done>(
    id: i64,
    action: crate::model::audit::AuditAction,
    detail: &str,
    act: Act,
) -> Result<(), AppError>
where
    Act: FnOnce(crate::storage::Database, String) -> Done,
    Done: std::future::Future<Output = Result<bool, crate::storage::StorageError>>,
{
    let user = crate::auth::require(crate::model::role::Role::Responder)?;
    let db = crate::state::app_state()?.db;
    let alert = db
        .alert(id)
        .await?
        .ok_or_else(|| AppError::NotFound("alert".to_owned()))?;
    if !act(db, user.username.clone()).await? {
        return Err(AppError::Refused("the alert is resolved".to_owned()));
    }
    let target = format!("{} on {}", alert.rule, alert.service);
    crate::auth::audit(&user, action, &target, detail).await;
    Ok(())
}

/// Acknowledges an open alert with an optional comment, as the signed-in
/// responder.
#[server(prefix = "/rpc", endpoint = "ack_alert")]
pub async fn ack_alert(id: i64, comment: String) -> Result<(), AppError> {
    use crate::model::audit::AuditAction;
    let comment = comment.trim().to_owned();
    if comment.chars().count() > 2_000 {
        return Err(AppError::InvalidInput(vec![
            crate::search_form::FieldError {
                field: "comment".to_owned(),
                message: "a comment has at most 2000 characters".to_owned(),
            },
        ]));
    }
    let detail = comment.clone();
    on_call(id, AuditAction::AlertAck, &detail, |db, by| async move {
        db.acknowledge_alert(id, &by, &comment).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "unack_alert")]
pub async fn unack_alert(id: i64) -> Result<(), AppError> {
    use crate::model::audit::AuditAction;
    on_call(id, AuditAction::AlertUnack, "", |db, _| async move {
        db.unacknowledge_alert(id).await
    })
    .await
}

/// Resolves an open alert by hand; it opens again if the condition still
/// holds at the next evaluation.
#[server(prefix = "/rpc", endpoint = "resolve_alert")]
pub async fn resolve_alert(id: i64) -> Result<(), AppError> {
    use crate::model::audit::AuditAction;
    on_call(id, AuditAction::AlertResolve, "", |db, by| async move {
        db.resolve_alert(id, &by).await
    })
    .await
}
