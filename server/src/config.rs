use std::net::SocketAddr;
use std::time::Duration;

use app::duration::HumanDuration;
use clap::{Parser, ValueEnum};

/// Watchpost: traces, health checks and alerts for a microservice fleet.
///
/// Every setting is a flag and an environment variable; the defaults run a
/// complete server on one machine.
#[derive(Debug, Clone, Parser)]
#[command(name = "watchpost", version, about)]
pub struct Config {
    /// Address for the UI, the JSON API and the health endpoints.
    #[arg(long, env = "WATCHPOST_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    #[command(flatten)]
    pub database: DatabaseConfig,

    /// Where the compiled front-end (JS, WASM, CSS) lives.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,

    /// How long to wait for requests and jobs to finish on shutdown.
    #[arg(long, env = "WATCHPOST_SHUTDOWN_TIMEOUT", default_value = "30s")]
    pub shutdown_timeout: HumanDuration,

    #[command(flatten)]
    pub log: LogConfig,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseConfig {
    /// PostgreSQL connection URL.
    #[arg(
        long = "database-url",
        env = "DATABASE_URL",
        default_value = "postgres://watchpost@127.0.0.1:5432/watchpost",
        hide_env_values = true
    )]
    pub url: String,

    /// Largest number of open database connections.
    #[arg(
        long = "database-max-connections",
        env = "WATCHPOST_DATABASE_MAX_CONNECTIONS",
        default_value_t = 10
    )]
    pub max_connections: u32,

    /// How long a query waits for a connection before failing.
    #[arg(
        long = "database-acquire-timeout",
        env = "WATCHPOST_DATABASE_ACQUIRE_TIMEOUT",
        default_value = "5s"
    )]
    pub acquire_timeout: HumanDuration,

    /// Longest pause between attempts to reach the database at start-up.
    #[arg(
        long = "database-retry-max",
        env = "WATCHPOST_DATABASE_RETRY_MAX",
        default_value = "30s"
    )]
    pub retry_max: HumanDuration,
}

#[derive(Debug, Clone, clap::Args)]
pub struct LogConfig {
    /// Log filter, in `tracing` syntax (e.g. `info,server=debug`).
    #[arg(long = "log", env = "WATCHPOST_LOG", default_value = "info,sqlx=warn")]
    pub filter: String,

    /// `text` for people, `json` for log collectors.
    #[arg(long = "log-format", env = "WATCHPOST_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl DatabaseConfig {
    pub fn settings(&self) -> app::storage::DatabaseSettings {
        app::storage::DatabaseSettings {
            url: self.url.clone(),
            max_connections: self.max_connections,
            acquire_timeout: self.acquire_timeout.0,
        }
    }

    pub fn retry_max(&self) -> Duration {
        self.retry_max.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_with_no_configuration() {
        let config = Config::try_parse_from(["watchpost"]).unwrap();
        assert_eq!(config.listen, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(config.database.acquire_timeout.0, Duration::from_secs(5));
        assert_eq!(config.log.format, LogFormat::Text);
    }

    #[test]
    fn flags_override_defaults_and_durations_are_checked() {
        let config = Config::try_parse_from([
            "watchpost",
            "--listen",
            "0.0.0.0:8080",
            "--database-acquire-timeout",
            "750ms",
            "--log-format",
            "json",
        ])
        .unwrap();
        assert_eq!(config.listen.port(), 8080);
        assert_eq!(
            config.database.acquire_timeout.0,
            Duration::from_millis(750)
        );
        assert_eq!(config.log.format, LogFormat::Json);

        let error =
            Config::try_parse_from(["watchpost", "--shutdown-timeout", "soon"]).unwrap_err();
        assert!(error.to_string().contains("not a duration"), "{error}");
    }
}
