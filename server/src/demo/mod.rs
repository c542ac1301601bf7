//! `watchpost demo` (or `--demo`): a simulated shop runs next to the server
//! and sends to it over its own OTLP listeners, so a new user sees every
//! page at work before instrumenting anything.
//!
//! - [`scenario`]: the scripted incident cycle, a pure function of time.
//! - [`traces`]: the user journeys as spans through seven services,
//!   PostgreSQL and Redis.
//! - [`telemetry`]: resources (`deployment.environment=demo`) and gauges.
//! - [`health`]: each service's real `/health` endpoint on loopback.
//! - [`setup`]: the checks of those endpoints and rules tuned to the cycle.
//! - [`database`]: the demo's own database, and the guard that keeps it
//!   from mixing with real data.
//! - [`fleet`]: the loop that sends it all.
//! - [`lease`]: one fleet per database, whatever the number of replicas.

pub mod database;
pub mod fleet;
pub mod health;
mod lease;
pub mod scenario;
pub mod setup;
pub mod telemetry;
pub mod traces;

use app::duration::HumanDuration;
use app::storage::StorageError;

use crate::ingest::auth::key::KeyHash;

/// The demo's settings, part of the server's.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoConfig {
    /// Run a simulated microservice fleet next to the server, in a
    /// database of its own (`watchpost demo` is the same).
    #[arg(id = "demo", long = "demo", env = "WATCHPOST_DEMO")]
    pub enabled: bool,

    /// How often the demo's incidents (payment errors, slow orders, a
    /// memory leak, a database outage) repeat. At least 4m, so each one's
    /// alert has time to fire and resolve.
    #[arg(
        id = "demo_cycle",
        long = "demo-cycle",
        env = "WATCHPOST_DEMO_CYCLE",
        default_value = "6m"
    )]
    pub cycle: HumanDuration,

    /// How long the demo's spans and metric points are kept, in place of
    /// `--retention` (the fleet writes about 60 MB an hour).
    #[arg(
        id = "demo_retention",
        long = "demo-retention",
        env = "WATCHPOST_DEMO_RETENTION",
        default_value = "1d"
    )]
    pub retention: HumanDuration,

    /// The demo's database. By default the database of `--database-url`
    /// with `_demo` appended, created if missing. The demo refuses a
    /// database that holds data of real services.
    #[arg(
        id = "demo_database_url",
        long = "demo-database-url",
        env = "WATCHPOST_DEMO_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
}

/// Why the demo could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo: {0}")]
    Database(String),
    #[error("demo: the database is unusable: {0}")]
    Storage(#[from] StorageError),
    #[error("demo: {0}")]
    Setup(String),
}

/// The cycle below which alerts cannot resolve between incidents (they
/// read one-minute windows of minute rollups).
const SHORTEST_USEFUL_CYCLE: std::time::Duration = std::time::Duration::from_secs(240);

/// The demo's background job: once this replica holds the demo lease,
/// makes its ingest key if the server wants one, then runs the fleet until
/// `cancel` (or, should the lease be lost, waits to take it again). A demo
/// that cannot start is logged; the server it runs in goes on serving.
pub async fn run(
    db: app::storage::Database,
    keys: crate::ingest::auth::KeyCache,
    mut targets: fleet::Targets,
    scenario: scenario::Scenario,
    cancel: tokio_util::sync::CancellationToken,
) {
    if scenario.cycle() < SHORTEST_USEFUL_CYCLE {
        tracing::warn!("a demo cycle under 4m ends incidents before their alerts can resolve");
    }
    // `--demo` migrated the database before the start, but a server built
    // another way (the tests) or a slow replica may not have.
    if !crate::jobs::migrate::until_migrated(&db, &cancel).await {
        return;
    }
    while let Some(held) = lease::wait_for_lease(&db, &cancel).await {
        // The fleet stops with the server, or when the lease is lost.
        let fleet_cancel = cancel.child_token();
        let fleet = async {
            let ran = async {
                if keys.is_required() {
                    targets.key = Some(ingest_key(&db, &keys).await?);
                }
                fleet::run(db.clone(), targets.clone(), scenario, fleet_cancel.clone()).await
            }
            .await;
            // Whatever ended it, the lease goes with it.
            fleet_cancel.cancel();
            ran
        };
        let (ran, ()) = tokio::join!(fleet, lease::hold(held, fleet_cancel.clone()));
        if let Err(error) = ran {
            tracing::error!(error = %error, "the demo fleet stopped");
            return;
        }
    }
}

/// The demo's own ingest key, made afresh at each start (only hashes are
/// stored, so last run's key cannot be read back; names stay taken after
/// revoking, hence the time in the name) and known to this server's key
/// cache at once. Earlier runs' keys are revoked.
async fn ingest_key(
    db: &app::storage::Database,
    keys: &crate::ingest::auth::KeyCache,
) -> Result<String, DemoError> {
    const PREFIX: &str = "demo-fleet-";
    for old in db.ingest_keys().await? {
        if !old.name.starts_with(PREFIX) || old.revoked_at.is_some() {
            continue;
        }
        let revoked = db.revoke_ingest_key(&old.name).await?;
        if let Some(hash) = revoked.and_then(|r| KeyHash::try_from(r.key_hash.as_slice()).ok()) {
            keys.revoked(hash).await;
        }
    }
    let new = crate::ingest::auth::key::NewKey::generate()
        .map_err(|_| DemoError::Setup("no random source for the demo's ingest key".to_owned()))?;
    let name = format!("{PREFIX}{}", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
    db.create_ingest_key(&name, &new.prefix, &new.hash).await?;
    keys.added(new.hash).await;
    Ok(new.key)
}
