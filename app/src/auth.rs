//! Who is signed in, and who may call what.
//!
//! The server resolves the session cookie or API token once per request (a
//! middleware in `server/src/accounts/`) and puts the [`CurrentUser`] into
//! the request's extensions and the Leptos context. The same middleware
//! enforces [`rpc_access`] on every server function call before it runs;
//! pages are gated there too, because their server-side render calls
//! server functions in-process.

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::model::account::CurrentUser;
use crate::model::role::Role;

/// Who may use a route or a server function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not: the status page, login, liveness.
    Public,
    /// A signed-in user with at least this role.
    Signed(Role),
}

/// Who may call each server function, by its endpoint name.
///
/// A server function missing here is refused to everyone (the middleware
/// fails closed), and the role-matrix test, which lists the registered
/// server functions, names it.
pub fn rpc_access(endpoint: &str) -> Option<Access> {
    use Access::{Public, Signed};
    use Role::{Admin, Responder, Viewer};
    Some(match endpoint {
        // The public status page, its footer and the header's "who am I".
        "status_page" | "instance_status" | "whoami" => Public,
        "services_overview" | "service_detail" | "service_names" | "operation_names"
        | "health_overview" | "check_suggestions" | "check_detail" | "search_traces" | "trace"
        | "service_map" | "edge_traces" | "alerts_list" | "silences_list" | "alert_history"
        | "rules_list" | "metrics_catalog" | "metric_chart" => Signed(Viewer),
        // Where to send data, and which services started sending: the
        // Send data page, for anyone who can see what arrives.
        "site_endpoints" | "new_services" => Signed(Viewer),
        // Your own tokens: everybody manages theirs.
        "my_tokens" | "create_my_token" | "revoke_my_token" | "end_other_sessions" => {
            Signed(Viewer)
        }
        // Whether anyone has an account yet, for the login page's hint.
        "setup_pending" => Public,
        "pause_check" | "ack_alert" | "unack_alert" | "resolve_alert" | "create_silence"
        | "mute_alert" | "expire_silence" => Signed(Responder),
        "save_check" | "delete_check" | "audit_log" | "ingest_keys" | "create_ingest_key"
        | "revoke_ingest_key" | "users" | "create_user" | "update_user" | "save_rule"
        | "delete_rule" | "preview_rule" => Signed(Admin),
        _ => return None,
    })
}

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

/// The signed-in user, who must have at least `role`. The middleware has
/// already checked [`rpc_access`]; server functions call this too, because
/// they need the user for the audit log anyway, and a second check costs
/// nothing.
#[cfg(feature = "ssr")]
pub fn require(role: Role) -> Result<CurrentUser, AppError> {
    let user = current_user().ok_or(AppError::SignInRequired)?;
    if user.role < role {
        return Err(AppError::Forbidden(role));
    }
    Ok(user)
}

/// The session a cookie-signed request belongs to (not set for API tokens),
/// so "end my other sessions" can keep this one.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy)]
pub struct SessionId(pub i64);

/// This request's session, if it came with a session cookie.
#[cfg(feature = "ssr")]
pub fn current_session() -> Option<i64> {
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SessionId>().copied())
        .map(|session| session.0)
}

/// The context value the server provides on every request, so "nobody is
/// signed in" and "the context was not wired" can be told apart.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct SignedIn(pub Option<CurrentUser>);

/// The client's address, as the server saw it (or as a trusted proxy said),
/// for the audit log.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

/// Writes an audit record for `user`'s action. A failed write is logged and
/// does not undo the action: the change has been committed by then.
#[cfg(feature = "ssr")]
pub async fn audit(
    user: &CurrentUser,
    action: crate::model::audit::AuditAction,
    target: &str,
    detail: &str,
) {
    let Some(state) = use_context::<crate::state::AppState>() else {
        tracing::error!("audit record without app state");
        return;
    };
    let address = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddress>().cloned())
        .map(|address| address.0);
    let actor = crate::model::audit::Actor {
        user_id: Some(user.id),
        name: user.username.clone(),
        address,
    };
    if let Err(error) = state.db.audit(&actor, action, target, detail).await {
        tracing::error!(error = %error, action = action.as_str(), "audit record not written");
    }
}

/// Who is signed in, for the browser's components: known on the server from
/// the request's session and carried into the page as a `SharedValue`
/// (`shell::App` provides it), so no component waits for a request to
/// decide which buttons to show. Logging in or out is a full page load, so
/// it never goes stale. Hiding a button is a courtesy: the server refuses
/// the action anyway.
#[derive(Debug, Clone)]
pub struct SessionUser(pub Option<CurrentUser>);

/// Reads the request's user on the server, for `SharedValue::new`; in the
/// browser only hydration reads the value, which never calls this.
pub fn signed_in_user() -> Option<CurrentUser> {
    #[cfg(feature = "ssr")]
    {
        current_user()
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// The signed-in user, in a component.
pub fn use_user() -> Option<CurrentUser> {
    use_context::<SessionUser>().and_then(|user| user.0)
}

/// Whether the signed-in user has at least `role`.
pub fn allowed(role: Role) -> bool {
    use_user().is_some_and(|user| user.role >= role)
}

/// For the header: who is signed in, if anyone.
#[server(prefix = "/rpc", endpoint = "whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    Ok(current_user())
}
