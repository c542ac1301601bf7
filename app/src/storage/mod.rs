//! The storage layer: the only place that speaks SQL.
//!
//! Transports (HTTP handlers, gRPC services, server functions) call the small
//! named functions here and never build queries themselves.

/// Users, sessions and first-run setup tokens.
pub mod accounts;
/// Alert rules, alerts and their transitions.
pub mod alerts;
/// Who did what, when, from where.
pub mod audit;
pub mod checks;
/// The compact binary form of attributes, events and links.
pub mod codec;
/// The demo fleet's database: its marker and its checks.
pub mod demo;
/// Service-map edges per minute.
pub mod edges;
mod error;
/// Ingest keys: stored hashed, revoked, last-used times.
pub mod ingest_keys;
/// Leader leases for jobs one replica does.
pub mod lease;
/// OTLP metric streams and points.
/// Reads for the Metrics page.
pub mod metric_reads;
pub mod metrics;
/// Webhook targets, the delivery outbox, attempts.
pub mod notifications;
/// Reading: traces, search, RED rollups, the service catalogue.
pub mod partitions;
pub mod query;
mod readiness;
/// Silences and maintenance windows.
pub mod silences;
/// Span storage: catalogue, partitions and the COPY writer.
pub mod spans;

pub use error::StorageError;
pub use readiness::{Readiness, expected_schema_version};

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// Every schema change, embedded in the binary so a deployed server can
/// migrate its database without the source tree.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// How the pool talks to PostgreSQL.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    /// How long a query waits for a free connection before it gives up; this
    /// bounds how long a request hangs when the database is down.
    pub acquire_timeout: Duration,
}

/// A handle on the database, cheap to clone.
#[derive(Debug, Clone)]
pub struct Database {
    pool: PgPool,
    catalogue: Arc<spans::Catalogue>,
    key_names: Arc<query::KeyNames>,
}

impl Database {
    /// Builds the pool without connecting, so the server can start (and say
    /// "not ready") while the database is still down.
    pub fn connect_lazy(settings: &DatabaseSettings) -> Result<Database, StorageError> {
        let options: PgConnectOptions = settings.url.parse().map_err(StorageError::Unavailable)?;
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_lazy_with(options.application_name("watchpost"));
        Ok(Database {
            pool,
            catalogue: Arc::default(),
            key_names: Arc::default(),
        })
    }

    /// Applies pending migrations. PostgreSQL advisory locks inside sqlx make
    /// this safe when several replicas start at once.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(StorageError::from_migrate)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub(crate) fn catalogue(&self) -> &spans::Catalogue {
        &self.catalogue
    }

    pub(crate) fn key_names(&self) -> &query::KeyNames {
        &self.key_names
    }

    /// Connections open now and how many of them are idle, for `/metrics`.
    pub fn pool_usage(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// Closes every connection; called last on shutdown.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
