//! Who is signed in, for server functions, server-side rendering and the
//! header.
//!
//! The server resolves the session cookie once per request (a middleware in
//! `server/src/accounts/`) and puts the [`CurrentUser`] into the request's
//! extensions and the Leptos context. Nothing here refuses anonymous users
//! yet: enforcing roles is the next step of issue 7.

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::model::account::CurrentUser;

/// The signed-in user of this request, or `None` for an anonymous one.
///
/// Looks in the Leptos context first (provided by the server for pages and
/// server functions) and falls back to the request's extensions.
#[cfg(feature = "ssr")]
pub fn current_user() -> Option<CurrentUser> {
    if let Some(user) = use_context::<SignedIn>() {
        return user.0;
    }
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
}

/// The context value the server provides on every request, so "nobody is
/// signed in" and "the context was not wired" can be told apart.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct SignedIn(pub Option<CurrentUser>);

/// For the header: who is signed in, if anyone.
#[server(prefix = "/rpc", endpoint = "whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    Ok(current_user())
}
