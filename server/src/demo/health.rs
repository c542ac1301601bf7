//! The simulated services' health endpoints: real HTTP servers on loopback
//! ports, answering `GET /health` with the JSON body Watchpost's checks
//! read (`status` and per-dependency status), from the scenario's current
//! conditions.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::scenario::Conditions;

/// How long database-service keeps a probe waiting while it is down: longer
/// than any check timeout, so the probe gives up first.
const HANG: Duration = Duration::from_secs(30);

/// The body of `service`'s health endpoint under `conditions`.
pub fn body(service: &str, conditions: &Conditions) -> Value {
    let mut status = "healthy";
    let mut reported = serde_json::Map::new();
    for dependency in super::traces::callees(service) {
        let down = dependency == "database-service" && conditions.database_down;
        if down {
            status = "degraded";
        }
        reported.insert(
            dependency.to_owned(),
            json!({ "status": if down { "down" } else { "up" } }),
        );
    }
    if service == "notification-service" && conditions.notification_memory > 0.9 {
        status = "degraded";
        reported.insert("memory".to_owned(), json!({ "status": "degraded" }));
    }
    json!({ "status": status, "version": "2.4.1", "dependencies": reported })
}

#[derive(Clone)]
struct Endpoint {
    service: &'static str,
    conditions: watch::Receiver<Conditions>,
    cancel: CancellationToken,
}

async fn health(State(endpoint): State<Endpoint>) -> Json<Value> {
    let conditions = *endpoint.conditions.borrow();
    if endpoint.service == "database-service" && conditions.database_down {
        // It stops answering: the probe times out, as with a hung process.
        tokio::select! {
            () = tokio::time::sleep(HANG) => {}
            () = endpoint.cancel.cancelled() => {}
        }
    }
    Json(body(endpoint.service, &conditions))
}

/// Serves `service`'s health endpoint on a free loopback port until
/// `cancel`; its address.
pub async fn serve(
    service: &'static str,
    conditions: watch::Receiver<Conditions>,
    tasks: &TaskTracker,
    cancel: CancellationToken,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let router = axum::Router::new()
        .route("/health", get(health))
        .with_state(Endpoint {
            service,
            conditions,
            cancel: cancel.clone(),
        });
    tasks.spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await;
        if let Err(error) = served {
            tracing::warn!(service, error = %error, "demo health endpoint stopped");
        }
    });
    Ok(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conditions(database_down: bool, memory: f64) -> Conditions {
        Conditions {
            payment_failure_ratio: 0.0,
            orders_slow: false,
            notification_memory: memory,
            database_down,
        }
    }

    #[test]
    fn callers_of_a_down_database_report_degraded_and_name_it() {
        let body = body("order-service", &conditions(true, 0.5));
        assert_eq!(body["status"], "degraded");
        assert_eq!(body["dependencies"]["database-service"]["status"], "down");
        assert_eq!(body["dependencies"]["payment-service"]["status"], "up");
        assert_eq!(
            super::body("auth-service", &conditions(true, 0.5))["status"],
            "healthy"
        );
    }

    #[test]
    fn notification_memory_near_full_degrades_it() {
        assert_eq!(
            body("notification-service", &conditions(false, 0.95))["status"],
            "degraded"
        );
        assert_eq!(
            body("notification-service", &conditions(false, 0.6))["status"],
            "healthy"
        );
    }
}
