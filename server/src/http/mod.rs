//! HTTP routes other than the Leptos pages: probes and metrics now; the JSON
//! API and OTLP/HTTP as they land. Handlers stay thin over the storage layer.

mod checks;
mod error;
mod ingest_keys;
pub mod jaeger;
mod metrics;
mod probes;

pub use error::ApiError;

use app::auth::{CurrentUser, SignedIn};
use app::shell::{App, shell};
use axum::Router;
use axum::routing::{get, post};
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, file_and_error_handler_with_context, generate_route_list,
};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::startup::ServerState;

/// The app's page routes, generated once per process.
///
/// Generating them renders the app with resource loading switched off
/// through a process-wide flag (leptos_server's `SuppressResourceLoad`).
/// Generating them again while another router in the same process is
/// rendering a page would leave that page's resources pending forever: a
/// response that never ends. One process with several servers is what the
/// integration tests run; the list depends only on `App`, so one copy serves
/// them all.
fn app_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: ServerState) -> Router {
    let app_state = state.app.clone();
    // Every page render and server function gets the state and who is
    // signed in (resolved from the cookie by `accounts::session::resolve`).
    let provide_app_state = move || {
        provide_context(app_state.clone());
        let user = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned());
        provide_context(SignedIn(user));
    };
    let options = state.app.leptos_options.clone();

    Router::new()
        .route("/healthz", get(probes::healthz))
        .route("/readyz", get(probes::readyz))
        .route("/metrics", get(metrics::render))
        .route("/v1/traces", post(crate::ingest::http::post_traces))
        .merge(jaeger::routes())
        .merge(checks::routes())
        .merge(ingest_keys::routes())
        .merge(crate::accounts::routes())
        .leptos_routes_with_context(&state, app_routes(), provide_app_state.clone(), move || {
            shell(options.clone())
        })
        .fallback(file_and_error_handler_with_context::<ServerState, _>(
            provide_app_state,
            shell,
        ))
        // Who is asking, for every route; nothing is refused on that basis
        // yet (roles are enforced in the next step of issue 7).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::accounts::session::setup_gate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::accounts::session::resolve,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_responses,
        ))
        .layer(TraceLayer::new_for_http())
        // The WebAssembly bundle shrinks to about 40 % with gzip.
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// The OTLP/HTTP port: only the OTLP routes (and liveness, for probes).
pub fn otlp_router(state: ServerState) -> Router {
    Router::new()
        .route("/v1/traces", post(crate::ingest::http::post_traces))
        .route("/healthz", get(probes::healthz))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_responses,
        ))
        .with_state(state)
}
