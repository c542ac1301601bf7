use std::net::SocketAddr;
use std::sync::Arc;

use app::state::AppState;
use app::storage::{Database, StorageError};
use leptos::config::{Env, LeptosOptions};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
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
}

/// Everything a request handler may need, cloned into each one.
#[derive(Clone)]
pub struct ServerState {
    pub app: AppState,
    pub metrics: Arc<SelfMetrics>,
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
    state: ServerState,
    config: Config,
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, StartupError> {
        let db = Database::connect_lazy(&config.database.settings())?;
        let leptos_options = LeptosOptions::builder()
            .output_name("watchpost")
            .site_root(config.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(config.listen)
            .env(Env::PROD)
            .build();
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| StartupError::Bind {
                    address: config.listen,
                    source,
                })?;
        let address = listener.local_addr().map_err(|source| StartupError::Bind {
            address: config.listen,
            source,
        })?;
        let state = ServerState {
            app: AppState { leptos_options, db },
            metrics: Arc::new(SelfMetrics::new()),
        };
        Ok(Application {
            listener,
            address,
            state,
            config,
        })
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
            state,
            config,
        } = self;
        let jobs = TaskTracker::new();
        jobs.spawn(jobs::migrate::run(
            state.app.db.clone(),
            config.database.retry_max(),
            cancel.clone(),
        ));

        let router = http::router(state.clone());
        tracing::info!(%address, "serving the ui and api on http://{address}");
        let server =
            axum::serve(listener, router).with_graceful_shutdown(cancel.clone().cancelled_owned());
        let mut server = tokio::spawn(server.into_future());

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
        // Whatever ended the server, the jobs must stop too.
        cancel.cancel();
        jobs.close();
        if tokio::time::timeout(config.shutdown_timeout.0, jobs.wait())
            .await
            .is_err()
        {
            tracing::warn!("background jobs did not stop before the shutdown deadline");
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
