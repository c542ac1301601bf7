//! The `watchpost` binary: read the configuration, start logging, serve until
//! told to stop. Everything else lives in the library so tests can start the
//! same server in-process.

use clap::Parser;
use server::config::Config;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    server::telemetry::init(&config.log);
    match server::run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "watchpost stopped with an error");
            std::process::ExitCode::FAILURE
        }
    }
}
