//! Session tokens and cookies, and the middleware that turns a cookie into
//! the request's [`CurrentUser`].

use app::model::account::CurrentUser;
use app::storage::accounts::{sessions, tokens, users};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use super::AccountSettings;
use super::error::AccountError;
use crate::startup::ServerState;

pub const COOKIE_NAME: &str = "watchpost_session";

/// Length of a token in the cookie: 32 random bytes in unpadded base64url.
const TOKEN_CHARS: usize = 43;

/// A fresh random token (256 bits from the OS) and the hash to store.
pub fn new_token() -> (String, [u8; 32]) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// Only this digest is stored. Whoever can read the sessions table (a
/// backup, a replica, an SQL-injection elsewhere) cannot turn it back into
/// a cookie; and with 256 random bits a plain SHA-256 is enough, no salt
/// or slow hash needed.
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The session token in the request's cookies, if it has the right shape
/// (anything else is ignored without a database round trip).
pub fn token_from(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value)
        .filter(|value| {
            value.len() == TOKEN_CHARS
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Whether the cookie gets `Secure`: when configured, or when a trusted
/// proxy says the browser reached it over HTTPS (`X-Forwarded-Proto`).
pub fn over_https(settings: &AccountSettings, headers: &HeaderMap) -> bool {
    let forwarded_https = || {
        headers
            .get("x-forwarded-proto")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
    };
    settings.secure_cookies || (settings.trust_proxy && forwarded_https())
}

/// `HttpOnly`: scripts cannot read it. `SameSite=Lax`: other sites' forms
/// and scripts do not send it (top-level links still do). `Secure` when
/// served over HTTPS (see [`over_https`]).
pub fn session_cookie(
    token: &str,
    max_age: std::time::Duration,
    secure: bool,
) -> Result<HeaderValue, AccountError> {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        max_age.as_secs()
    );
    HeaderValue::from_str(&value).map_err(|_| AccountError::Internal)
}

/// Tells the browser to forget the cookie.
pub fn clearing_cookie(secure: bool) -> HeaderValue {
    if secure {
        HeaderValue::from_static(
            "watchpost_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure",
        )
    } else {
        HeaderValue::from_static("watchpost_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }
}

/// Who a request comes from, as [`resolve`] found it. The access gates
/// read it; only `User` also puts a [`CurrentUser`] into the extensions.
#[derive(Debug, Clone)]
pub enum Identity {
    Anonymous,
    User(CurrentUser),
    /// The request carries a session or token, but the database could not
    /// say whose: the gates answer 503 rather than guess (fail closed).
    Unknown,
}

/// Resolves the session cookie, or an API token in `Authorization`, into an
/// [`Identity`] (and a [`CurrentUser`] for handlers, server functions and
/// pages), and records the client's address. Refuses nothing itself: the
/// gates in `accounts::access` decide.
pub async fn resolve(
    State(state): State<ServerState>,
    mut request: Request,
    next: Next,
) -> Response {
    let address = client_address(&request, state.accounts.settings.trust_proxy);
    request
        .extensions_mut()
        .insert(app::auth::ClientAddress(address));
    // The bundle and stylesheet carry the cookie too; they need no user.
    let (identity, session) = if request.uri().path().starts_with("/pkg/") {
        (Identity::Anonymous, None)
    } else {
        identify(&state, request.headers()).await
    };
    if let Some(session) = session {
        request
            .extensions_mut()
            .insert(app::auth::SessionId(session));
    }
    if let Identity::User(user) = &identity {
        request.extensions_mut().insert(user.clone());
    }
    request.extensions_mut().insert(identity);
    next.run(request).await
}

/// The peer's address, or with `trust_proxy` the last `X-Forwarded-For`
/// entry: the one the proxy itself appended, which the client cannot forge.
pub fn client_address(request: &Request, trust_proxy: bool) -> String {
    let forwarded = trust_proxy
        .then(|| {
            request
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .next_back()
        })
        .flatten()
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next())
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty());
    forwarded.unwrap_or_else(|| {
        request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip().to_string())
            .unwrap_or_default()
    })
}

/// Who sent the request, and the session id when a cookie said so.
async fn identify(state: &ServerState, headers: &HeaderMap) -> (Identity, Option<i64>) {
    let db = &state.app.db;
    if let Some(token) = super::api_token::token_from(headers) {
        let identity = match tokens::find_user(db, &super::api_token::hash(token)).await {
            Ok(Some(user)) => Identity::User(user),
            Ok(None) => Identity::Anonymous,
            Err(error) => {
                tracing::warn!(error = %error, "api token lookup failed");
                Identity::Unknown
            }
        };
        return (identity, None);
    }
    let Some(token) = token_from(headers) else {
        return (Identity::Anonymous, None);
    };
    let idle = state.accounts.settings.session_idle;
    match sessions::find_live(db, &hash_token(token), idle).await {
        Ok(Some(live)) => {
            if live.touch_due
                && let Err(error) = sessions::touch(db, live.session_id).await
            {
                tracing::warn!(error = %error, "session last-seen not updated");
            }
            (Identity::User(live.user), Some(live.session_id))
        }
        Ok(None) => (Identity::Anonymous, None),
        Err(error) => {
            tracing::warn!(error = %error, "session lookup failed");
            (Identity::Unknown, None)
        }
    }
}

/// `GET /setup` renders only while first-run setup is open and the token is
/// one the database knows: 410 once any user exists, 404 for a wrong link.
pub async fn setup_gate(
    State(state): State<ServerState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET || request.uri().path() != "/setup" {
        return next.run(request).await;
    }
    let token = axum::extract::Query::<SetupQuery>::try_from_uri(request.uri())
        .map(|query| query.0.token)
        .unwrap_or_default();
    match setup_open(&state, &token).await {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

/// Whether setup is open for this token: `SetupDone` once a user exists.
pub async fn setup_open(state: &ServerState, token: &str) -> Result<(), AccountError> {
    let db = &state.app.db;
    if users::any_exists(db).await? {
        return Err(AccountError::SetupDone);
    }
    if token.is_empty()
        || !app::storage::accounts::setup::token_valid(db, &hash_token(token)).await?
    {
        return Err(AccountError::UnknownSetupLink);
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct SetupQuery {
    #[serde(default)]
    token: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_unique_and_hashed() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_eq!(a.len(), TOKEN_CHARS);
        assert_ne!(a, b);
        assert_eq!(hash_token(&a), hash_a);
    }

    #[test]
    fn cookies_are_secure_when_configured_or_a_trusted_proxy_saw_https() {
        let settings = |secure_cookies, trust_proxy| AccountSettings {
            session_idle: std::time::Duration::from_secs(60),
            session_max: std::time::Duration::from_secs(600),
            secure_cookies,
            metrics_auth: false,
            trust_proxy,
        };
        let mut https = HeaderMap::new();
        https.insert("x-forwarded-proto", "https".parse().unwrap());
        assert!(over_https(&settings(true, false), &HeaderMap::new()));
        assert!(over_https(&settings(false, true), &https));
        // Without trusting the proxy, anyone could send the header.
        assert!(!over_https(&settings(false, false), &https));
        assert!(!over_https(&settings(false, true), &HeaderMap::new()));
        let cookie = session_cookie("t", std::time::Duration::from_secs(600), true).unwrap();
        assert!(cookie.to_str().unwrap().ends_with("Max-Age=600; Secure"));
    }

    #[test]
    fn finds_the_session_cookie_among_others_and_ignores_malformed_ones() {
        let (token, _) = new_token();
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, "theme=dark".parse().unwrap());
        headers.append(
            header::COOKIE,
            format!("a=b; {COOKIE_NAME}={token}").parse().unwrap(),
        );
        assert_eq!(token_from(&headers), Some(token.as_str()));

        let mut bad = HeaderMap::new();
        bad.append(
            header::COOKIE,
            format!("{COOKIE_NAME}=short").parse().unwrap(),
        );
        assert_eq!(token_from(&bad), None);
    }
}
