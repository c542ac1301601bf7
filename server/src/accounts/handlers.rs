//! `POST /login`, `POST /logout` and `POST /setup`: plain form posts
//! answered with 303 redirects, so they work without JavaScript.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use app::auth::ClientAddress;
use app::model::account::CurrentUser;
use app::model::account::{self, AccountRuleError, encode_query_value as encode, safe_next};
use app::model::audit::AuditAction;
use app::model::role::Role;
use app::storage::accounts::users::NewUser;
use app::storage::accounts::{sessions, setup, users};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::audit;
use super::error::AccountError;
use super::password;
use super::session::{
    clearing_cookie, hash_token, new_token, over_https, session_cookie, token_from,
};
use crate::startup::ServerState;

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn login(
    State(state): State<ServerState>,
    Extension(client): Extension<ClientAddress>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AccountError> {
    let limiter = &state.accounts.limiter;
    // Unknown only without a socket (never when serving): share one bucket.
    let address = client
        .0
        .parse()
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    limiter
        .check(&form.username, address, Instant::now())
        .map_err(|retry_after| AccountError::TooManyAttempts { retry_after })?;

    let record = users::find_for_login(&state.app.db, &form.username).await?;
    let stored = record.as_ref().map(|r| r.password_hash.clone());
    // Always verified (against a dummy hash for unknown users), and a
    // disabled user gets the same answer as a wrong password, so neither
    // the answer nor its timing says whether the account exists.
    let matches = password::verify(form.password, stored).await?;
    let user = match record {
        Some(record) if matches && !record.disabled => record.user,
        record => {
            limiter.record_failure(&form.username, address, Instant::now());
            // The typed username is not logged: people type passwords there.
            tracing::info!(peer = %address, "login failed");
            // The audit log, for admins only, names existing accounts (to
            // spot guessing at one), never what was typed for an unknown one.
            let (target, detail) = match &record {
                Some(record) => (record.user.username.as_str(), ""),
                None => ("", "no such user"),
            };
            let actor = audit::at(None, "anonymous", &client);
            let action = AuditAction::LoginFailed;
            audit::record(&state, &actor, action, target, detail).await;
            let next = safe_next(form.next.as_deref());
            let location = format!("/login?failed=1&next={}", encode(next));
            return Ok(see_other(&location, None));
        }
    };
    limiter.record_success(&form.username);
    // Logging in over an existing session ends that session.
    end_session(&state, &headers).await;
    let cookie = start_session(&state, user.id, &headers).await?;
    tracing::info!(user = %user.username, peer = %address, "logged in");
    let actor = audit::at(Some(user.id), &user.username, &client);
    audit::record(&state, &actor, AuditAction::Login, &user.username, "").await;
    Ok(see_other(safe_next(form.next.as_deref()), Some(cookie)))
}

pub async fn logout(
    State(state): State<ServerState>,
    user: Option<Extension<CurrentUser>>,
    Extension(client): Extension<ClientAddress>,
    headers: HeaderMap,
) -> Response {
    end_session(&state, &headers).await;
    if let Some(Extension(user)) = user {
        let actor = audit::at(Some(user.id), &user.username, &client);
        audit::record(&state, &actor, AuditAction::Logout, &user.username, "").await;
    }
    let mut response = see_other("/login", None);
    response.headers_mut().insert(
        header::SET_COOKIE,
        clearing_cookie(over_https(&state.accounts.settings, &headers)),
    );
    response
}

#[derive(Deserialize)]
pub struct SetupForm {
    token: String,
    username: String,
    display_name: String,
    password: String,
    password_repeat: String,
}

pub async fn setup(
    State(state): State<ServerState>,
    Extension(client): Extension<ClientAddress>,
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> Result<Response, AccountError> {
    super::session::setup_open(&state, &form.token).await?;
    let username = form.username.trim().to_owned();
    let display_name = form.display_name.trim().to_owned();
    let checked = account::check_username(&username)
        .and_then(|()| account::check_display_name(&display_name))
        .and_then(|()| account::check_new_password(&form.password, &form.password_repeat));
    if let Err(rule) = checked {
        let location = format!(
            "/setup?token={}&error={}",
            encode(&form.token),
            error_code(&rule)
        );
        return Ok(see_other(&location, None));
    }
    let new_user = NewUser {
        username,
        display_name,
        password_hash: password::hash(form.password).await?,
        role: Role::Admin,
    };
    let id = setup::create_first_user(&state.app.db, &hash_token(&form.token), &new_user).await?;
    tracing::info!(user = %new_user.username, "first admin created");
    let actor = audit::at(Some(id), &new_user.username, &client);
    audit::record(&state, &actor, AuditAction::Setup, &new_user.username, "").await;
    let cookie = start_session(&state, id, &headers).await?;
    // A fresh install has nothing to show yet: the next step is sending
    // data. (With the demo fleet, or data sent before setup, it is not.)
    let nothing_reported = state
        .app
        .db
        .services_first_seen_after(None, 0)
        .await
        .is_ok_and(|services| services.earlier == 0);
    let next = if nothing_reported {
        "/send-data"
    } else {
        account::DEFAULT_NEXT
    };
    Ok(see_other(next, Some(cookie)))
}

/// A new session with a new token, every time: a cookie the browser sent
/// before logging in is never promoted, so a planted cookie is worthless.
async fn start_session(
    state: &ServerState,
    user_id: i64,
    headers: &HeaderMap,
) -> Result<HeaderValue, AccountError> {
    let (token, hash) = new_token();
    let settings = &state.accounts.settings;
    sessions::create(&state.app.db, &hash, user_id, settings.session_max).await?;
    session_cookie(&token, settings.session_max, over_https(settings, headers))
}

async fn end_session(state: &ServerState, headers: &HeaderMap) {
    if let Some(token) = token_from(headers)
        && let Err(error) = sessions::revoke(&state.app.db, &hash_token(token)).await
    {
        tracing::warn!(error = %error, "session not revoked");
    }
}

fn see_other(location: &str, cookie: Option<HeaderValue>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, location);
    }
    if let Some(cookie) = cookie {
        headers.insert(header::SET_COOKIE, cookie);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The code the setup page turns back into a sentence.
fn error_code(rule: &AccountRuleError) -> &'static str {
    match rule {
        AccountRuleError::PasswordTooShort => "short",
        AccountRuleError::PasswordTooLong => "long",
        AccountRuleError::PasswordsDiffer => "differ",
        AccountRuleError::BadUsername => "username",
        AccountRuleError::BadDisplayName => "display",
    }
}
