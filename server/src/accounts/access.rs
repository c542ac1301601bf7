//! Who may use what: the gates in front of the JSON API, the pages and the
//! server functions.
//!
//! - The JSON API is built from a table of [`ApiRoute`]s, each with its
//!   [`Access`]; the router is made from that table (`http::api_routes`), so
//!   a route cannot exist without a rule, and the role-matrix test walks the
//!   same table.
//! - Server functions are gated by [`app::auth::rpc_access`], by endpoint
//!   name. One without a rule is refused to everyone.
//! - Pages need a signed-in viewer, except the login, setup and status
//!   pages; anonymous visitors are sent to the login page. Their
//!   server-side render calls server functions in-process, past the
//!   server-function gate, so this gate is what protects their data.

use app::auth::Access;
use app::error::AppError;
use app::model::role::Role;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;

use super::session::Identity;
use crate::startup::ServerState;

/// One route of the JSON API: method, path, who may use it, and its handler.
pub struct ApiRoute {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub handler: MethodRouter<ServerState>,
}

impl ApiRoute {
    pub fn new(
        method: Method,
        path: &'static str,
        access: Access,
        handler: MethodRouter<ServerState>,
    ) -> ApiRoute {
        ApiRoute {
            method,
            path,
            access,
            handler,
        }
    }
}

/// Pages anyone may open.
const PUBLIC_PAGES: [&str; 3] = ["/login", "/setup", "/status"];

/// What a gate decided.
enum Verdict {
    Pass,
    SignInRequired,
    Forbidden(Role),
    Unavailable,
}

fn judge(access: Access, identity: Option<&Identity>) -> Verdict {
    let Access::Signed(needed) = access else {
        return Verdict::Pass;
    };
    match identity {
        Some(Identity::User(user)) if user.role >= needed => Verdict::Pass,
        Some(Identity::User(_)) => Verdict::Forbidden(needed),
        Some(Identity::Unknown) => Verdict::Unavailable,
        // No identity at all means `resolve` did not run: refuse.
        Some(Identity::Anonymous) | None => Verdict::SignInRequired,
    }
}

/// The gate of one JSON API route (a `route_layer`, so only matched routes
/// get here). Answers in the API's JSON error shape.
pub async fn api_gate(access: Access, request: Request, next: Next) -> Response {
    let verdict = judge(access, request.extensions().get::<Identity>());
    match verdict {
        Verdict::Pass => next.run(request).await,
        Verdict::SignInRequired => {
            let mut response =
                crate::http::ApiError::Unauthenticated("sign in, or send an API token")
                    .into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"watchpost\""),
            );
            response
        }
        Verdict::Forbidden(role) => crate::http::ApiError::Forbidden(role.as_str()).into_response(),
        Verdict::Unavailable => crate::http::ApiError::Unavailable {
            reason: "the database is unavailable",
        }
        .into_response(),
    }
}

/// The gate of the Leptos routes: pages and server functions.
pub async fn app_gate(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|matched| matched.as_str().to_owned())
        .unwrap_or_else(|| request.uri().path().to_owned());
    let identity = request.extensions().get::<Identity>().cloned();
    let identity = identity.as_ref();
    // A signed-in user forcing a call their role does not allow is recorded:
    // it is either a bug in the UI or someone probing.
    if let Some(endpoint) = path.strip_prefix("/rpc/") {
        let Some(access) = app::auth::rpc_access(endpoint) else {
            tracing::error!(endpoint, "server function without an access rule; refused");
            return rpc_refusal(StatusCode::FORBIDDEN, AppError::Forbidden(Role::Admin));
        };
        return match judge(access, identity) {
            Verdict::Pass => next.run(request).await,
            Verdict::SignInRequired => {
                rpc_refusal(StatusCode::UNAUTHORIZED, AppError::SignInRequired)
            }
            Verdict::Forbidden(role) => {
                if let Some(Identity::User(user)) = identity {
                    let actor = super::audit::actor(user, request.extensions());
                    let action = app::model::audit::AuditAction::Forbidden;
                    super::audit::record(&state, &actor, action, endpoint, "").await;
                }
                rpc_refusal(StatusCode::FORBIDDEN, AppError::Forbidden(role))
            }
            Verdict::Unavailable => rpc_refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                AppError::DatabaseUnavailable,
            ),
        };
    }
    let access = if PUBLIC_PAGES.contains(&path.as_str()) {
        Access::Public
    } else {
        Access::Signed(Role::Viewer)
    };
    match judge(access, identity) {
        Verdict::Pass => next.run(request).await,
        Verdict::SignInRequired | Verdict::Forbidden(_) => to_login(&request),
        Verdict::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            "Watchpost cannot reach its database right now; try again shortly.",
        )
            .into_response(),
    }
}

/// A refused server-function call, in the encoding the browser's server
/// function client decodes into an `AppError`.
fn rpc_refusal(status: StatusCode, error: AppError) -> Response {
    let body = serde_json::to_string(&error).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Sends an anonymous visitor to the login page, to come back here after.
fn to_login(request: &Request) -> Response {
    let here = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let next = app::model::account::safe_next(Some(here));
    let location = format!(
        "/login?next={}",
        app::model::account::encode_query_value(next)
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `GET /metrics`: public unless `--metrics-auth`.
pub fn metrics_access(state_metrics_auth: bool) -> Access {
    match state_metrics_auth {
        true => Access::Signed(Role::Viewer),
        false => Access::Public,
    }
}
