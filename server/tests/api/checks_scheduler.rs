//! The scheduler end to end: a check created over the API runs against a
//! real target on its interval, its state follows the thresholds, and the
//! health endpoint's dependencies are recorded.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Value, json};

use prost::Message;

use reqwest::Method;

use crate::checks_api::send;
use crate::helpers::TestApp;
use crate::ingest_http::{PROTOBUF, now_ns, post, ready_app};

/// A service whose health endpoint reports healthy, or unhealthy with its
/// database down and a 503, as `failing` says.
async fn target(failing: Arc<AtomicBool>) -> String {
    let app = axum::Router::new().route(
        "/health",
        get(move || {
            let failing = failing.load(Ordering::SeqCst);
            async move {
                let (status, db) = if failing {
                    (StatusCode::SERVICE_UNAVAILABLE, "down")
                } else {
                    (StatusCode::OK, "up")
                };
                let state = if failing { "unhealthy" } else { "healthy" };
                (
                    status,
                    Json(json!({"status": state, "version": "1.4.2", "dependencies": {"orders-db": {"status": db}}})),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/health")
}

async fn check(app: &TestApp, id: i64) -> Value {
    send(app, Method::GET, &format!("/api/v1/checks/{id}"), None)
        .await
        .1
}

async fn wait_for_state(app: &TestApp, id: i64, state: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let current = check(app, id).await;
        if current["state"] == state {
            return current;
        }
        assert!(Instant::now() < deadline, "never {state}: {current}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_check_runs_on_its_interval_and_its_state_follows_the_target() {
    let app = ready_app().await;
    let failing = Arc::new(AtomicBool::new(false));
    let url = target(failing.clone()).await;
    let (status, created) = send(
        &app,
        Method::POST,
        "/api/v1/checks",
        Some(json!({
            "name": "orders", "service": "order-service", "type": "http", "url": url,
            "interval": "1s", "timeout": "500ms", "failure_threshold": 2
        })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();

    let healthy = wait_for_state(&app, id, "healthy").await;
    assert_eq!(
        healthy["dependencies"],
        json!([{"name": "orders-db", "state": "healthy", "detail": null}])
    );
    assert_eq!(healthy["last_result"]["version"], "1.4.2");
    assert_eq!(healthy["last_result"]["http_status"], 200);

    failing.store(true, Ordering::SeqCst);
    let started = Instant::now();
    let unhealthy = wait_for_state(&app, id, "unhealthy").await;
    // Two failures in a row at a 1 s interval.
    assert!(started.elapsed() >= Duration::from_millis(900), "damped");
    let reason = unhealthy["last_result"]["reason"].as_str().unwrap();
    assert!(reason.contains("503"), "{reason}");
    assert!(reason.contains("orders-db"), "{reason}");
    assert_eq!(unhealthy["dependencies"][0]["state"], "unhealthy");

    // The service map's node for the service turns red, naming the check.
    let mut fleet = server::loadgen::fleet::Fleet::new(3);
    let spans = fleet.request(20, now_ns()).encode_to_vec();
    assert_eq!(post(&app, true, PROTOBUF, false, spans).await.status(), 200);
    let deadline = Instant::now() + Duration::from_secs(20);
    let node = loop {
        let map: Value = app
            .client
            .post(app.url("/rpc/service_map"))
            .form(&[("window", "")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let node = map["nodes"].as_array().and_then(|nodes| {
            nodes
                .iter()
                .find(|n| n["node"]["name"] == "order-service")
                .cloned()
        });
        if let Some(node) = node {
            break node;
        }
        assert!(Instant::now() < deadline, "no order-service node: {map}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(node["health"]["level"], "Critical", "{node}");
    let reasons = node["health"]["reasons"].to_string();
    assert!(reasons.contains("check orders is unhealthy"), "{reasons}");

    // Paused: no more results.
    let pause = format!("/api/v1/checks/{id}/pause");
    assert_eq!(send(&app, Method::POST, &pause, None).await.0, 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = check(&app, id).await["last_result_at"].clone();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(check(&app, id).await["last_result_at"], before);
}
