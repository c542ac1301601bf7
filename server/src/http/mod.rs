//! HTTP routes other than the Leptos pages: probes and metrics now; the JSON
//! API and OTLP/HTTP as they land. Handlers stay thin over the storage layer.

mod checks;
mod error;
mod ingest_keys;
pub mod jaeger;
mod metrics;
mod probes;

pub use error::ApiError;

use app::shell::{App, shell};
use axum::Router;
use axum::routing::{get, post};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::startup::ServerState;

pub fn router(state: ServerState) -> Router {
    let app_state = state.app.clone();
    let provide_app_state = move || provide_context(app_state.clone());
    let options = state.app.leptos_options.clone();

    Router::new()
        .route("/healthz", get(probes::healthz))
        .route("/readyz", get(probes::readyz))
        .route("/metrics", get(metrics::render))
        .route("/v1/traces", post(crate::ingest::http::post_traces))
        .merge(jaeger::routes())
        .merge(checks::routes())
        .merge(ingest_keys::routes())
        .leptos_routes_with_context(
            &state,
            generate_route_list(App),
            provide_app_state.clone(),
            move || shell(options.clone()),
        )
        .fallback(file_and_error_handler_with_context::<ServerState, _>(
            provide_app_state,
            shell,
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
