use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use app::model::check::CheckSpec;
use app::state::AppState;
use app::storage::{Database, StorageError};
use leptos::config::{Env, LeptosOptions};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::ingest::auth::KeyCache;
use crate::ingest::{IngestPipeline, IngestSettings, PipelineSettings};
use crate::map::{EdgeTracker, MatcherSettings};
use crate::self_metrics::SelfMetrics;
use crate::{http, jobs};

/// Why the server could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("unusable database settings: {0}")]
    Database(#[from] StorageError),
    #[error("the http server failed: {0}")]
    Serve(std::io::Error),
    #[error("health checks cannot run: {0}")]
    Probes(#[from] crate::health::probe::ProbeSetupError),
    #[error("{0}")]
    IngestAuth(#[from] crate::ingest::auth::AuthSetupError),
    #[error("{0}")]
    Demo(#[from] crate::demo::DemoError),
    #[error("{0}")]
    ChecksFile(#[from] crate::health::checks_file::ChecksFileError),
}

/// Everything a request handler may need, cloned into each one.
#[derive(Clone)]
pub struct ServerState {
    pub app: AppState,
    pub metrics: Arc<SelfMetrics>,
    pub ingest: Arc<IngestSettings>,
    pub pipeline: IngestPipeline,
    /// The active ingest keys, checked by both OTLP transports.
    pub ingest_keys: KeyCache,
    /// Service-map edge derivation, fed by the ingest writers.
    pub edges: EdgeTracker,
    /// What the health-check scheduler has done.
    pub checks: Arc<crate::health::SchedulerStats>,
    /// Session settings, the login limiter, the first-run link.
    pub accounts: Arc<crate::accounts::Accounts>,
    /// Metric exports being written now (see `ingest::metrics`).
    pub metric_writes: Arc<tokio::sync::Semaphore>,
}

impl axum::extract::FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.app.leptos_options.clone()
    }
}

/// A server whose listeners are bound but not yet serving. Binding first lets
/// tests ask for port 0 and learn the real address before requests start.
pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    otlp_http_listener: TcpListener,
    otlp_http_address: SocketAddr,
    otlp_grpc_listener: TcpListener,
    otlp_grpc_address: SocketAddr,
    state: ServerState,
    config: Config,
    jobs: TaskTracker,
    /// Cancelled once the listeners have stopped, so the ingest writers
    /// finish what the last requests queued.
    drain_ingest: CancellationToken,
    /// Built with the rest, so a server that cannot probe fails at start.
    prober: crate::health::probe::Prober,
    /// The checks file and its checks, read and validated at build so a
    /// bad file stops the start.
    checks_file: Option<(PathBuf, Vec<CheckSpec>)>,
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, StartupError> {
        let checks_file = match &config.checks.checks_file {
            Some(path) => Some((path.clone(), crate::health::checks_file::load(path)?)),
            None => None,
        };
        // Every listener takes OTLP: the main one serves `/v1/traces` too.
        let keys_required = crate::ingest::auth::keys_required(
            config.ingest.auth,
            &[
                config.listen,
                config.ingest.http_listen,
                config.ingest.grpc_listen,
            ],
        )?;
        let db = Database::connect_lazy(&config.database.settings())?;
        let leptos_options = LeptosOptions::builder()
            .output_name("watchpost")
            .site_root(config.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(config.listen)
            .env(Env::PROD)
            .build();
        let (listener, address) = bind(config.listen).await?;
        let (otlp_http_listener, otlp_http_address) = bind(config.ingest.http_listen).await?;
        let (otlp_grpc_listener, otlp_grpc_address) = bind(config.ingest.grpc_listen).await?;
        let jobs = TaskTracker::new();
        let drain_ingest = CancellationToken::new();
        let edges = EdgeTracker::new(MatcherSettings {
            caller_grace: config.ingest.map_caller_grace.0,
            ..MatcherSettings::default()
        });
        let pipeline = IngestPipeline::start(
            db.clone(),
            PipelineSettings::from_config(&config.ingest),
            &jobs,
            drain_ingest.clone(),
            edges.clone(),
        );
        let state = ServerState {
            app: AppState {
                leptos_options,
                db,
                mint_secret: crate::accounts::api_token::mint,
                hash_password: crate::accounts::password::hash_boxed,
                preview_rule: crate::alerts::preview::boxed,
                site: app::model::site::SiteInfo {
                    otlp_http: otlp_http_address,
                    otlp_grpc: otlp_grpc_address,
                    public_otlp_http: config.ingest.http_public_url.clone(),
                    public_otlp_grpc: config.ingest.grpc_public_url.clone(),
                    keys_required,
                    demo: app::model::site::DemoFlag::new(config.demo.enabled),
                },
                ingest_keys_changed: Default::default(),
            },
            metrics: Arc::new(SelfMetrics::new()),
            ingest: Arc::new(IngestSettings::from_config(&config.ingest)),
            pipeline,
            ingest_keys: if keys_required {
                KeyCache::required()
            } else {
                KeyCache::off()
            },
            edges,
            checks: Arc::default(),
            accounts: crate::accounts::Accounts::new(config.accounts.settings()),
            metric_writes: Arc::new(tokio::sync::Semaphore::new(
                crate::ingest::metrics::CONCURRENT_WRITES,
            )),
        };
        crate::accounts::password::warm_up().await;
        Ok(Application {
            listener,
            address,
            otlp_http_listener,
            otlp_http_address,
            otlp_grpc_listener,
            otlp_grpc_address,
            state,
            config,
            jobs,
            drain_ingest,
            prober: crate::health::probe::Prober::new()?,
            checks_file,
        })
    }

    /// The OTLP/HTTP address (the real port when 0 was asked for).
    pub fn otlp_http_address(&self) -> SocketAddr {
        self.otlp_http_address
    }

    /// The OTLP/gRPC address (the real port when 0 was asked for).
    pub fn otlp_grpc_address(&self) -> SocketAddr {
        self.otlp_grpc_address
    }

    /// The first-run setup link, once issued (after migrations, and only
    /// while no user exists). Also logged; tests read it here.
    pub fn first_run_link(&self) -> tokio::sync::watch::Receiver<Option<String>> {
        self.state.accounts.first_run_link.subscribe()
    }

    /// The address the UI and API listen on (the real port when 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves until `cancel` fires, then drains: first HTTP, then background
    /// jobs, then the database pool, each within the shutdown timeout.
    pub async fn run_until_cancelled(self, cancel: CancellationToken) -> Result<(), StartupError> {
        let Application {
            listener,
            address,
            otlp_http_listener,
            otlp_http_address,
            otlp_grpc_listener,
            otlp_grpc_address,
            state,
            config,
            jobs,
            drain_ingest,
            prober,
            checks_file,
        } = self;
        let (db, migrated) = (state.app.db.clone(), cancel.clone());
        let first_run_link = state.accounts.first_run_link.clone();
        let site_demo = state.app.site.demo.clone();
        jobs.spawn(async move {
            jobs::migrate::run(db.clone(), config.database.retry_max(), migrated.clone()).await;
            // The users table and the demo marker exist only once
            // migrations have run.
            if !migrated.is_cancelled() {
                if db.is_demo_database().await.unwrap_or(false) {
                    site_demo.set();
                }
                crate::accounts::first_run::run(db, address, first_run_link).await;
            }
        });
        jobs.spawn(jobs::partitions::run(
            state.app.db.clone(),
            jobs::partitions::Retention {
                spans: config.ingest.retention.0,
                check_results: config.checks.check_retention.0,
            },
            cancel.clone(),
        ));
        if state.ingest_keys.is_required() {
            tracing::info!(
                mode = config.ingest.auth.as_str(),
                "otlp requests need an ingest key"
            );
        } else {
            tracing::info!(
                mode = config.ingest.auth.as_str(),
                "otlp requests need no ingest key: every listener is on loopback"
            );
        }
        jobs.spawn(crate::ingest::auth::run(
            state.ingest_keys.clone(),
            state.app.db.clone(),
            state.app.ingest_keys_changed.clone(),
            cancel.clone(),
        ));
        jobs.spawn(jobs::rollups::run(state.app.db.clone(), cancel.clone()));
        jobs.spawn(crate::accounts::sweep::run(
            state.app.db.clone(),
            cancel.clone(),
        ));
        jobs.spawn(crate::alerts::job::run(
            state.app.db.clone(),
            config.checks.alert_interval.0,
            cancel.clone(),
        ));
        jobs.spawn(crate::alerts::notify::run(
            state.app.db.clone(),
            cancel.clone(),
        ));
        jobs.spawn(crate::map::run(
            state.edges.clone(),
            state.app.db.clone(),
            cancel.clone(),
        ));
        jobs.spawn(crate::health::scheduler::run(
            state.app.db.clone(),
            prober,
            crate::health::SchedulerSettings {
                concurrency: config.checks.check_concurrency,
                ..Default::default()
            },
            state.checks.clone(),
            cancel.clone(),
        ));
        if let Some((path, specs)) = checks_file {
            jobs.spawn(crate::health::checks_file::run(
                state.app.db.clone(),
                path,
                specs,
                cancel.clone(),
            ));
        }

        if config.demo.enabled {
            jobs.spawn(crate::demo::run(
                state.app.db.clone(),
                state.ingest_keys.clone(),
                crate::demo::fleet::Targets {
                    otlp_http: otlp_http_address,
                    otlp_grpc: otlp_grpc_address,
                    key: None,
                },
                crate::demo::scenario::Scenario::new(config.demo.cycle.0),
                cancel.clone(),
            ));
        }

        tracing::info!(%address, "serving the ui and api on http://{address}");
        tracing::info!(address = %otlp_http_address, "accepting OTLP/HTTP on http://{otlp_http_address}/v1/traces");
        // The peer address feeds the per-address login limit.
        let ui = axum::serve(
            listener,
            http::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(cancel.clone().cancelled_owned())
        .into_future();
        let otlp_http = axum::serve(otlp_http_listener, http::otlp_router(state.clone()))
            .with_graceful_shutdown(cancel.clone().cancelled_owned())
            .into_future();
        tracing::info!(address = %otlp_grpc_address, "accepting OTLP/gRPC on {otlp_grpc_address}");
        let otlp_grpc = axum::serve(
            otlp_grpc_listener,
            crate::ingest::grpc::router(state.clone()),
        )
        .with_graceful_shutdown(cancel.clone().cancelled_owned())
        .into_future();
        let mut server = tokio::spawn(async move {
            let (ui, otlp_http, otlp_grpc) = tokio::join!(ui, otlp_http, otlp_grpc);
            ui.and(otlp_http).and(otlp_grpc)
        });

        let served = tokio::select! {
            result = &mut server => result,
            () = cancel.cancelled() => {
                let deadline = config.shutdown_timeout.0;
                match tokio::time::timeout(deadline, &mut server).await {
                    Ok(result) => result,
                    Err(_) => {
                        tracing::warn!(timeout = %config.shutdown_timeout, "requests still running at the shutdown deadline; dropping them");
                        server.abort();
                        Ok(Ok(()))
                    }
                }
            }
        };
        // Whatever ended the server, the jobs must stop too; the ingest
        // writers last, after the listeners, to answer what was queued.
        cancel.cancel();
        drain_ingest.cancel();
        jobs.close();
        if tokio::time::timeout(config.shutdown_timeout.0, jobs.wait())
            .await
            .is_err()
        {
            tracing::warn!("background jobs did not stop before the shutdown deadline");
        }
        // The writers have drained: the edges of their last batches go out
        // before the pool closes.
        if let Err(error) = state.edges.finish(&state.app.db).await {
            tracing::warn!(error = %error, "service-map edges not written at shutdown");
        }
        state.app.db.close().await;
        tracing::info!("stopped");

        match served {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(StartupError::Serve(error)),
            Err(join_error) => Err(StartupError::Serve(std::io::Error::other(join_error))),
        }
    }
}

async fn bind(address: SocketAddr) -> Result<(TcpListener, SocketAddr), StartupError> {
    let listener = TcpListener::bind(address)
        .await
        .map_err(|source| StartupError::Bind { address, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| StartupError::Bind { address, source })?;
    Ok((listener, bound))
}
