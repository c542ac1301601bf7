//! The targets `check-bench` probes: health endpoints served by the
//! benchmark itself on 127.0.0.1. They run on a runtime of their own, on one
//! thread, so the CPU they use can be told apart from the scheduler's.

use std::net::SocketAddr;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use tokio::sync::oneshot;

use super::usage;

const HEALTHY: &str = r#"{"status":"healthy","dependencies":{"db":{"status":"healthy"}}}"#;
const DEGRADED: &str =
    r#"{"status":"degraded","dependencies":{"db":{"status":"healthy"},"cache":{"status":"down"}}}"#;
const UNHEALTHY: &str = r#"{"status":"unhealthy","dependencies":{"db":{"status":"down"}}}"#;

/// `/health/{n}`: most targets are healthy; one in 20 is degraded (200 with
/// a failing dependency) and one in 50 answers 503, as a real fleet might.
async fn health(Path(n): Path<u64>) -> (StatusCode, &'static str) {
    if n % 50 == 49 {
        (StatusCode::SERVICE_UNAVAILABLE, UNHEALTHY)
    } else if n % 20 == 19 {
        (StatusCode::OK, DEGRADED)
    } else {
        (StatusCode::OK, HEALTHY)
    }
}

/// The running targets; `stop` ends them.
pub struct Targets {
    pub addr: SocketAddr,
    runtime: tokio::runtime::Handle,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Targets {
    pub fn start() -> Result<Targets, String> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let router = Router::new().route("/health/{n}", get(health));
        let thread = std::thread::Builder::new()
            .name("bench-targets".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => listener,
                        Err(error) => {
                            tracing::error!(error = %error, "bench targets could not listen");
                            return;
                        }
                    };
                    let shutdown = async {
                        let _ = stopped.await;
                    };
                    if let Err(error) = axum::serve(listener, router)
                        .with_graceful_shutdown(shutdown)
                        .await
                    {
                        tracing::error!(error = %error, "bench targets stopped");
                    }
                });
            })
            .map_err(|e| e.to_string())?;
        Ok(Targets {
            addr,
            runtime: handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// CPU time the targets' thread has used so far.
    pub async fn cpu(&self) -> Result<Duration, String> {
        self.runtime
            .spawn(async { usage::thread_cpu() })
            .await
            .map_err(|e| e.to_string())?
    }

    /// Stops serving and waits for the thread to end.
    pub fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
