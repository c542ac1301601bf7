//! HTTP routes other than the Leptos pages: probes and metrics now; the JSON
//! API and OTLP/HTTP as they land. Handlers stay thin over the storage layer.

mod alertmanager;
mod alerts;
mod checks;
mod error;
mod ingest_keys;
pub mod jaeger;
mod metrics;
mod notifications;
mod probes;
mod silences;

pub(crate) use alertmanager::{
    annotations as alertmanager_annotations, labels as alertmanager_labels,
};
pub use error::ApiError;

use app::auth::{Access, CurrentUser, SignedIn};
use app::shell::{App, shell};
use axum::Router;
use axum::http::Method;
use axum::routing::{get, post};
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, file_and_error_handler_with_context, generate_route_list,
};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::accounts::access::ApiRoute;
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

/// Every route of the main port outside the Leptos app, with who may use
/// it. The router is built from this list, and the role-matrix test walks
/// it, so no route exists without a rule.
pub fn api_routes(metrics_auth: bool) -> Vec<ApiRoute> {
    let public = Access::Public;
    let mut routes = vec![
        ApiRoute::new(Method::GET, "/healthz", public, get(probes::healthz)),
        ApiRoute::new(Method::GET, "/readyz", public, get(probes::readyz)),
        ApiRoute::new(Method::GET, "/favicon.ico", public, get(favicon)),
        ApiRoute::new(
            Method::GET,
            "/metrics",
            crate::accounts::access::metrics_access(metrics_auth),
            get(metrics::render),
        ),
        // OTLP on the main port too; ingest keys guard it, not accounts.
        ApiRoute::new(
            Method::POST,
            "/v1/traces",
            public,
            post(crate::ingest::http::post_traces),
        ),
        ApiRoute::new(
            Method::POST,
            "/v1/metrics",
            public,
            post(crate::ingest::http::post_metrics),
        ),
    ];
    routes.extend(crate::accounts::routes());
    routes.extend(jaeger::routes());
    routes.extend(checks::routes());
    routes.extend(ingest_keys::routes());
    routes.extend(alerts::routes());
    routes.extend(silences::routes());
    routes.extend(alertmanager::routes());
    routes.extend(notifications::routes());
    routes
}

/// The paths of the app's pages, in axum's form (`/services/{service}`).
pub fn page_paths() -> Vec<String> {
    app_routes()
        .iter()
        .map(|route| route.path().to_owned())
        .collect()
}

pub fn router(state: ServerState) -> Router {
    let app_state = state.app.clone();
    // Every page render and server function gets the state and who is
    // signed in (resolved by `accounts::session::resolve`).
    let provide_app_state = move || {
        provide_context(app_state.clone());
        let user = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned());
        provide_context(SignedIn(user));
    };
    let options = state.app.leptos_options.clone();

    let mut api = Router::new();
    for route in api_routes(state.accounts.settings.metrics_auth) {
        let access = route.access;
        let gate = axum::middleware::from_fn(move |request, next| {
            crate::accounts::access::api_gate(access, request, next)
        });
        api = api.route(route.path, route.handler.route_layer(gate));
    }
    // Pages and server functions, behind their own gate.
    let pages = Router::new()
        .leptos_routes_with_context(&state, app_routes(), provide_app_state.clone(), move || {
            shell(options.clone())
        })
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::accounts::access::app_gate,
        ));

    api.merge(pages)
        // Static files and the 404 page: public.
        .fallback(file_and_error_handler_with_context::<ServerState, _>(
            provide_app_state,
            shell,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::accounts::session::setup_gate,
        ))
        .layer(axum::middleware::from_fn(crate::accounts::csrf::protect))
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
        .route("/v1/metrics", post(crate::ingest::http::post_metrics))
        .route("/healthz", get(probes::healthz))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_responses,
        ))
        .with_state(state)
}

/// The icon, for browsers showing an answer that is not a page.
async fn favicon() -> impl axum::response::IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        app::shell::FAVICON_SVG,
    )
}
