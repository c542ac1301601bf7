//! Accounts (issue 7): users, sessions, API tokens, who may do what, and
//! the audit log.
//!
//! - [`password`]: argon2id hashing off the async runtime.
//! - [`session`]: tokens, cookies, and the middleware that resolves the
//!   cookie or API token to a `CurrentUser` for handlers, server functions
//!   and pages.
//! - [`api_token`]: personal tokens for the JSON API (`wpt_...`).
//! - [`access`]: the gates: the JSON API's route table, pages, server
//!   functions.
//! - [`csrf`]: refusing state changes sent by other sites.
//! - [`audit`]: who did what, from handlers and gates.
//! - [`rate_limit`]: failed-login counters per username and address.
//! - [`handlers`]: `POST /login`, `/logout`, `/setup`.
//! - [`first_run`]: the one-time link to create the first admin.
//! - [`sweep`]: deletes sessions that ended over a day ago, hourly.
//! - [`cli`]: `watchpost user add|disable|enable` and `token create`.

pub mod access;
pub mod api_token;
pub mod audit;
pub mod cli;
pub mod csrf;
mod error;
pub mod first_run;
mod handlers;
pub mod password;
pub mod rate_limit;
pub mod session;
pub mod sweep;

use std::sync::Arc;
use std::time::Duration;

use app::auth::Access;
use axum::http::Method;
use axum::routing::post;
use tokio::sync::watch;

pub use error::AccountError;

use access::ApiRoute;

/// Session settings, from the configuration.
#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after login, used or not.
    pub session_max: Duration,
    /// Adds `Secure` to the session cookie (serve over HTTPS then).
    pub secure_cookies: bool,
    /// `/metrics` needs a signed-in viewer.
    pub metrics_auth: bool,
    /// The client address comes from `X-Forwarded-For`.
    pub trust_proxy: bool,
}

/// What the account routes share: settings, the login limiter and the
/// first-run link (published for tests; also logged).
pub struct Accounts {
    pub settings: AccountSettings,
    pub limiter: rate_limit::LoginLimiter,
    pub first_run_link: watch::Sender<Option<String>>,
}

impl Accounts {
    pub fn new(settings: AccountSettings) -> Arc<Accounts> {
        Arc::new(Accounts {
            settings,
            limiter: rate_limit::LoginLimiter::new(rate_limit::Limits::default()),
            first_run_link: watch::Sender::new(None),
        })
    }
}

/// The login, logout and setup forms: public (they are how one gets in),
/// and guarded against cross-site posts by `csrf`.
pub fn routes() -> Vec<ApiRoute> {
    let public = Access::Public;
    vec![
        ApiRoute::new(Method::POST, "/login", public, post(handlers::login)),
        ApiRoute::new(Method::POST, "/logout", public, post(handlers::logout)),
        ApiRoute::new(Method::POST, "/setup", public, post(handlers::setup)),
    ]
}
