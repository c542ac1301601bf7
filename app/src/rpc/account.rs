//! Server functions of the account pages: your own API tokens and
//! sessions, and for admins users, ingest keys and the audit log. Who may call each is in
//! `auth::rpc_access`; each also checks for itself, since it needs the user
//! for the audit log.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::account::{ApiTokenRecord, NewUserForm, UserRecord};
use crate::model::audit::AuditRecord;
use crate::model::ingest_key::IngestKeyRecord;

/// Audit records per page.
pub const AUDIT_PAGE: i64 = 100;

/// Your API tokens, newest first.
#[server(prefix = "/rpc", endpoint = "my_tokens")]
pub async fn my_tokens() -> Result<Vec<ApiTokenRecord>, AppError> {
    let user = crate::auth::require(crate::model::role::Role::Viewer)?;
    let db = crate::state::app_state()?.db;
    crate::storage::accounts::tokens::list(&db, user.id)
        .await
        .map_err(ssr::store_error)
}

/// Makes you a token named `name`; the answer is the token, shown once.
#[server(prefix = "/rpc", endpoint = "create_my_token")]
pub async fn create_my_token(name: String) -> Result<String, AppError> {
    use crate::model::audit::AuditAction;
    let user = crate::auth::require(crate::model::role::Role::Viewer)?;
    let state = crate::state::app_state()?;
    let name = name.trim();
    crate::model::account::check_token_name(name).map_err(|why| ssr::field("name", why))?;
    let made = (state.mint_secret)("wpt_").ok_or(AppError::Internal)?;
    crate::storage::accounts::tokens::create(&state.db, user.id, name, &made.prefix, &made.hash)
        .await
        .map_err(ssr::store_error)?;
    crate::auth::audit(&user, AuditAction::TokenCreate, name, &made.prefix).await;
    Ok(made.secret)
}

#[server(prefix = "/rpc", endpoint = "revoke_my_token")]
pub async fn revoke_my_token(id: i64) -> Result<(), AppError> {
    use crate::model::audit::AuditAction;
    let user = crate::auth::require(crate::model::role::Role::Viewer)?;
    let db = crate::state::app_state()?.db;
    // Only your own: another user's id finds nothing.
    let revoked = crate::storage::accounts::tokens::revoke(&db, user.id, id)
        .await
        .map_err(ssr::store_error)?;
    if !revoked {
        return Err(AppError::NotFound("token".to_owned()));
    }
    crate::auth::audit(&user, AuditAction::TokenRevoke, &id.to_string(), "").await;
    Ok(())
}

/// The audit log, newest first: a page of records older than `before`,
/// whose action starts with `action` (all when empty).
#[server(prefix = "/rpc", endpoint = "audit_log")]
pub async fn audit_log(before: Option<i64>, action: String) -> Result<Vec<AuditRecord>, AppError> {
    crate::auth::require(crate::model::role::Role::Admin)?;
    let db = crate::state::app_state()?.db;
    Ok(db.audit_records(before, action.trim(), AUDIT_PAGE).await?)
}

#[server(prefix = "/rpc", endpoint = "ingest_keys")]
pub async fn ingest_keys() -> Result<Vec<IngestKeyRecord>, AppError> {
    crate::auth::require(crate::model::role::Role::Admin)?;
    Ok(crate::state::app_state()?.db.ingest_keys().await?)
}

/// Makes an ingest key; the answer is the key, shown once. Servers pick it
/// up within their key cache's refresh (two seconds).
#[server(prefix = "/rpc", endpoint = "create_ingest_key")]
pub async fn create_ingest_key(name: String) -> Result<String, AppError> {
    use crate::model::audit::AuditAction;
    let user = crate::auth::require(crate::model::role::Role::Admin)?;
    let state = crate::state::app_state()?;
    let name = name.trim();
    crate::model::ingest_key::check_name(name).map_err(|why| ssr::field("name", why))?;
    let made = (state.mint_secret)("wpk_").ok_or(AppError::Internal)?;
    match state
        .db
        .create_ingest_key(name, &made.prefix, &made.hash)
        .await
    {
        Err(crate::storage::StorageError::NameTaken) => {
            return Err(ssr::field(
                "name",
                "another ingest key already has this name",
            ));
        }
        other => other?,
    };
    state.ingest_keys_changed.notify_one();
    crate::auth::audit(&user, AuditAction::KeyCreate, name, &made.prefix).await;
    Ok(made.secret)
}

#[server(prefix = "/rpc", endpoint = "revoke_ingest_key")]
pub async fn revoke_ingest_key(name: String) -> Result<(), AppError> {
    use crate::model::audit::AuditAction;
    let user = crate::auth::require(crate::model::role::Role::Admin)?;
    let state = crate::state::app_state()?;
    if state.db.revoke_ingest_key(&name).await?.is_none() {
        return Err(AppError::NotFound("ingest key".to_owned()));
    }
    state.ingest_keys_changed.notify_one();
    crate::auth::audit(&user, AuditAction::KeyRevoke, &name, "").await;
    Ok(())
}

/// Whether nobody has an account yet, for the login page's hint about the
/// first-run link. Public: it says no more than `/setup` does.
#[server(prefix = "/rpc", endpoint = "setup_pending")]
pub async fn setup_pending() -> Result<bool, AppError> {
    let db = crate::state::app_state()?.db;
    let any = crate::storage::accounts::users::any_exists(&db)
        .await
        .map_err(ssr::store_error)?;
    Ok(!any)
}

/// Ends every other session of yours (another browser, a lost laptop);
/// the one asking stays signed in.
#[server(prefix = "/rpc", endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    use crate::model::audit::AuditAction;
    let user = crate::auth::require(crate::model::role::Role::Viewer)?;
    let db = crate::state::app_state()?.db;
    let keep = crate::auth::current_session();
    let ended = crate::storage::accounts::sessions::revoke_others(&db, user.id, keep)
        .await
        .map_err(ssr::store_error)?;
    crate::auth::audit(
        &user,
        AuditAction::SessionsEnd,
        &user.username,
        &format!("{ended} ended"),
    )
    .await;
    Ok(ended)
}

/// Every user, for admins.
#[server(prefix = "/rpc", endpoint = "users")]
pub async fn users() -> Result<Vec<UserRecord>, AppError> {
    crate::auth::require(crate::model::role::Role::Admin)?;
    let db = crate::state::app_state()?.db;
    crate::storage::accounts::users::list(&db)
        .await
        .map_err(ssr::store_error)
}

#[server(prefix = "/rpc", endpoint = "create_user")]
pub async fn create_user(form: NewUserForm) -> Result<(), AppError> {
    use crate::model::audit::AuditAction;
    use crate::storage::accounts::AccountStoreError;
    let admin = crate::auth::require(crate::model::role::Role::Admin)?;
    let state = crate::state::app_state()?;
    let role = form.validate().map_err(AppError::InvalidInput)?;
    let username = form.username.trim().to_owned();
    let password_hash = (state.hash_password)(form.password)
        .await
        .ok_or(AppError::Internal)?;
    let user = crate::storage::accounts::users::NewUser {
        username: username.clone(),
        display_name: form.display_name.trim().to_owned(),
        password_hash,
        role,
    };
    match crate::storage::accounts::users::create(&state.db, &user).await {
        Err(AccountStoreError::UsernameTaken) => {
            return Err(ssr::field("username", "another user has this username"));
        }
        other => other.map_err(ssr::store_error)?,
    };
    crate::auth::audit(&admin, AuditAction::UserCreate, &username, role.as_str()).await;
    Ok(())
}

/// Changes a user's role, or disables or enables them. Not your own
/// account: an admin cannot lock themselves (or the last admin) out.
#[server(prefix = "/rpc", endpoint = "update_user")]
pub async fn update_user(
    username: String,
    role: Option<String>,
    disabled: Option<bool>,
) -> Result<(), AppError> {
    use crate::model::audit::AuditAction;
    use crate::storage::accounts::users;
    let admin = crate::auth::require(crate::model::role::Role::Admin)?;
    if admin.username.eq_ignore_ascii_case(&username) {
        return Err(AppError::Refused(
            "you cannot change your own role or lock yourself out; ask another admin".to_owned(),
        ));
    }
    let db = crate::state::app_state()?.db;
    let missing = || AppError::NotFound("user".to_owned());
    if let Some(role) = role {
        let role = crate::model::role::Role::parse(&role)
            .ok_or_else(|| ssr::field("role", "choose viewer, responder or admin"))?;
        if !users::set_role(&db, &username, role)
            .await
            .map_err(ssr::store_error)?
        {
            return Err(missing());
        }
        crate::auth::audit(&admin, AuditAction::UserRole, &username, role.as_str()).await;
    }
    if let Some(disabled) = disabled {
        if !users::set_disabled(&db, &username, disabled)
            .await
            .map_err(ssr::store_error)?
        {
            return Err(missing());
        }
        let action = match disabled {
            true => AuditAction::UserDisable,
            false => AuditAction::UserEnable,
        };
        crate::auth::audit(&admin, action, &username, "").await;
    }
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use crate::search_form::FieldError;
    use crate::storage::accounts::AccountStoreError;

    pub fn field(field: &str, message: &str) -> AppError {
        AppError::InvalidInput(vec![FieldError {
            field: field.to_owned(),
            message: message.to_owned(),
        }])
    }

    pub fn store_error(error: AccountStoreError) -> AppError {
        match error {
            AccountStoreError::Storage(storage) => storage.into(),
            other => {
                tracing::error!(error = %other, "account request failed");
                AppError::Internal
            }
        }
    }
}
