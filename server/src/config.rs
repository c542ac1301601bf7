use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use app::byte_size::ByteSize;
use app::duration::HumanDuration;
use app::model::public_url::PublicUrl;
use clap::{Parser, ValueEnum};

pub use crate::ingest::auth::IngestAuthMode;

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

    #[command(flatten)]
    pub ingest: IngestConfig,

    #[command(flatten)]
    pub checks: CheckConfig,

    #[command(flatten)]
    pub accounts: AccountConfig,

    #[command(flatten)]
    pub demo: crate::demo::DemoConfig,

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
pub struct IngestConfig {
    /// Address of the OTLP/HTTP listener (`POST /v1/traces`). The main
    /// address accepts the same route, for setups with one port open.
    #[arg(
        long = "otlp-http-listen",
        env = "WATCHPOST_OTLP_HTTP_LISTEN",
        default_value = "127.0.0.1:4318"
    )]
    pub http_listen: SocketAddr,

    /// Address of the OTLP/gRPC listener (`TraceService/Export`).
    #[arg(
        long = "otlp-grpc-listen",
        env = "WATCHPOST_OTLP_GRPC_LISTEN",
        default_value = "127.0.0.1:4317"
    )]
    pub grpc_listen: SocketAddr,

    /// The OTLP/HTTP URL services should send to, when it is not this
    /// listener (a load balancer, ingress or TLS terminator in front), e.g.
    /// `https://otel.example.com`. The Send data page shows it as is.
    #[arg(
        long = "otlp-http-public-url",
        env = "WATCHPOST_OTLP_HTTP_PUBLIC_URL",
        value_parser = PublicUrl::parse_http
    )]
    pub http_public_url: Option<PublicUrl>,

    /// The same for OTLP/gRPC: a scheme, host and port, no path.
    #[arg(
        long = "otlp-grpc-public-url",
        env = "WATCHPOST_OTLP_GRPC_PUBLIC_URL",
        value_parser = PublicUrl::parse_grpc
    )]
    pub grpc_public_url: Option<PublicUrl>,

    /// Whether OTLP requests need an ingest key (`Authorization: Bearer
    /// wpk_…`, made with `watchpost key create`). `auto` requires one
    /// unless the main, OTLP/HTTP and OTLP/gRPC listeners are all on
    /// loopback; `off` is refused unless they are.
    #[arg(
        long = "ingest-auth",
        env = "WATCHPOST_INGEST_AUTH",
        value_enum,
        default_value_t = IngestAuthMode::Auto
    )]
    pub auth: IngestAuthMode,

    /// Largest request body accepted, compressed (413 beyond it).
    #[arg(
        long = "ingest-max-body",
        env = "WATCHPOST_INGEST_MAX_BODY",
        default_value = "16MiB"
    )]
    pub max_body: ByteSize,

    /// Largest request once decompressed (413 beyond it).
    #[arg(
        long = "ingest-max-decompressed",
        env = "WATCHPOST_INGEST_MAX_DECOMPRESSED",
        default_value = "64MiB"
    )]
    pub max_decompressed: ByteSize,

    /// Spans with more attributes than this are rejected.
    #[arg(
        long = "ingest-max-attributes",
        env = "WATCHPOST_INGEST_MAX_ATTRIBUTES",
        default_value_t = 128
    )]
    pub max_attributes_per_span: usize,

    /// Longer attribute values are cut to this length and counted.
    #[arg(
        long = "ingest-max-value-length",
        env = "WATCHPOST_INGEST_MAX_VALUE_LENGTH",
        default_value = "8KiB"
    )]
    pub max_attribute_value_length: ByteSize,

    /// Spans waiting to be written before requests are refused with 429.
    #[arg(
        long = "ingest-queue-spans",
        env = "WATCHPOST_INGEST_QUEUE_SPANS",
        default_value_t = 200_000
    )]
    pub queue_spans: usize,

    /// Most spans written in one COPY.
    #[arg(
        long = "ingest-batch-spans",
        env = "WATCHPOST_INGEST_BATCH_SPANS",
        default_value_t = 20_000
    )]
    pub batch_spans: usize,

    /// Concurrent span writers (each holds a database connection while writing).
    #[arg(
        long = "ingest-writers",
        env = "WATCHPOST_INGEST_WRITERS",
        default_value_t = 2
    )]
    pub writers: usize,

    /// How long spans are kept; older daily partitions are dropped whole.
    #[arg(long = "retention", env = "WATCHPOST_RETENTION", default_value = "7d")]
    pub retention: HumanDuration,

    /// How long a client span waits for its server span before the service
    /// map draws the call to the peer the span names (a database, an
    /// external API) instead.
    #[arg(
        long = "map-caller-grace",
        env = "WATCHPOST_MAP_CALLER_GRACE",
        default_value = "60s"
    )]
    pub map_caller_grace: HumanDuration,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckConfig {
    /// Health-check probes running at once, at most.
    #[arg(
        long = "check-concurrency",
        env = "WATCHPOST_CHECK_CONCURRENCY",
        default_value_t = 256
    )]
    pub check_concurrency: usize,

    /// How long every check result is kept; hourly uptime counts are kept
    /// for 90 days regardless.
    #[arg(
        long = "check-retention",
        env = "WATCHPOST_CHECK_RETENTION",
        default_value = "7d"
    )]
    pub check_retention: HumanDuration,

    /// A TOML file of checks, loaded at start and again on SIGHUP: one
    /// `[[check]]` table per check, with the JSON API's field names. Its
    /// checks are marked `file` and change only with the file.
    #[arg(long = "checks-file", env = "WATCHPOST_CHECKS_FILE")]
    pub checks_file: Option<PathBuf>,

    /// How often the alert rules are evaluated (by one replica at a time).
    #[arg(
        long = "alert-interval",
        env = "WATCHPOST_ALERT_INTERVAL",
        default_value = "15s"
    )]
    pub alert_interval: HumanDuration,
}

#[derive(Debug, Clone, clap::Args)]
pub struct AccountConfig {
    /// A session unused for this long ends (checked to the minute).
    #[arg(
        long = "session-idle",
        env = "WATCHPOST_SESSION_IDLE",
        default_value = "12h"
    )]
    pub session_idle: HumanDuration,

    /// A session ends this long after login, however active.
    #[arg(
        long = "session-max",
        env = "WATCHPOST_SESSION_MAX",
        default_value = "7d"
    )]
    pub session_max: HumanDuration,

    /// Mark the session cookie `Secure` (browsers then send it over HTTPS
    /// only). Turn on whenever Watchpost is reached over HTTPS.
    #[arg(long = "secure-cookies", env = "WATCHPOST_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Require a signed-in viewer (usually an API token) for `/metrics`.
    /// Off by default so Prometheus scrapes work without set-up.
    #[arg(long = "metrics-auth", env = "WATCHPOST_METRICS_AUTH")]
    pub metrics_auth: bool,

    /// Take the client address for login limits and the audit log from the
    /// last `X-Forwarded-For` entry. Only behind a reverse proxy that sets
    /// it: otherwise clients could pick their own address.
    #[arg(long = "trust-proxy", env = "WATCHPOST_TRUST_PROXY")]
    pub trust_proxy: bool,
}

impl AccountConfig {
    pub fn settings(&self) -> crate::accounts::AccountSettings {
        crate::accounts::AccountSettings {
            session_idle: self.session_idle.0,
            session_max: self.session_max.0,
            secure_cookies: self.secure_cookies,
            metrics_auth: self.metrics_auth,
            trust_proxy: self.trust_proxy,
        }
    }
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
        assert_eq!(config.ingest.auth, IngestAuthMode::Auto);
        assert_eq!(
            config.accounts.session_idle.0,
            Duration::from_secs(12 * 3600)
        );
        assert_eq!(
            config.accounts.session_max.0,
            Duration::from_secs(7 * 86400)
        );
        assert!(!config.accounts.secure_cookies);
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
