//! The Watchpost server: one process that serves the UI, the JSON API and (as
//! capabilities land) the OTLP listeners and background jobs.
//!
//! A guided tour:
//! - [`config`]: every setting, as a flag and an environment variable.
//! - [`startup`]: binds the listeners and wires state, routes and jobs.
//! - [`shutdown`]: one cancellation token for the whole process.
//! - [`http`]: the axum routes that are not Leptos pages.
//! - [`accounts`]: users, sessions, login and first-run setup.
//! - [`ingest`]: OTLP in, spans committed, answer out.
//! - [`health`]: active health checks: scheduler, probes, result writer.
//! - [`jobs`]: background work that stops cleanly on shutdown.
//! - [`self_metrics`]: Watchpost's own Prometheus metrics.
//! - [`demo`]: `watchpost demo`, a simulated fleet with scripted incidents.
//! - [`loadgen`]: the load generator and the benchmarks (COPY baseline,
//!   query and check benchmarks).

// Release builds render the app's pages with their full view types (debug
// builds erase them), which nest deeper than the compiler's default limit.
#![recursion_limit = "256"]

pub mod accounts;
pub mod alerts;
pub mod cli;
pub mod config;
pub mod demo;
pub mod health;
pub mod http;
pub mod ingest;
pub mod jobs;
pub mod loadgen;
pub mod map;
pub mod self_metrics;
pub mod shutdown;
pub mod startup;
pub mod telemetry;

use tokio_util::sync::CancellationToken;

pub use startup::{Application, StartupError};

/// Runs the server until SIGINT or SIGTERM, then drains and returns.
pub async fn run(mut config: config::Config) -> Result<(), StartupError> {
    if config.demo.enabled {
        config.database.url =
            demo::database::prepare(&config.demo, &config.database.settings()).await?;
        // Only the demo's database: a week of simulated traffic is not worth 10 GB.
        config.ingest.retention = config.demo.retention;
    }
    let cancel = CancellationToken::new();
    shutdown::cancel_on_signal(cancel.clone());
    let application = Application::build(config).await?;
    application.run_until_cancelled(cancel).await
}
