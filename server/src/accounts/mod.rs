//! Accounts, part 1 of issue 7: users, sessions, login and logout,
//! first-run setup and the `user` command.
//!
//! - [`password`]: argon2id hashing off the async runtime.
//! - [`session`]: tokens, cookies, and the middleware that resolves the
//!   cookie to a `CurrentUser` for handlers, server functions and pages.
//! - [`rate_limit`]: failed-login counters per username and address.
//! - [`handlers`]: `POST /login`, `/logout`, `/setup`.
//! - [`first_run`]: the one-time link to create the first admin.
//! - [`sweep`]: deletes sessions that ended over a day ago, hourly.
//! - [`cli`]: `watchpost user add|disable|enable`.
//!
//! Nothing refuses anonymous users yet; roles are stored and shown only.
//! Enforcing them (and CSRF tokens) is the next step.

pub mod cli;
mod error;
pub mod first_run;
mod handlers;
pub mod password;
pub mod rate_limit;
pub mod session;
pub mod sweep;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use tokio::sync::watch;

pub use error::AccountError;

use crate::startup::ServerState;

/// Session settings, from the configuration.
#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after login, used or not.
    pub session_max: Duration,
    /// Adds `Secure` to the session cookie (serve over HTTPS then).
    pub secure_cookies: bool,
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

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/login", post(handlers::login))
        .route("/logout", post(handlers::logout))
        .route("/setup", post(handlers::setup))
}
