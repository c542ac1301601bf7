//! Alert notifications to a real local webhook receiver: firing,
//! acknowledged, repeated while unacknowledged (and not after), resolved;
//! retried while the receiver is down.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use prost::Message;
use serde_json::{Value, json};
use server::alerts::evaluate_once;

use crate::alerts::{requests, send};
use crate::helpers::{TestApp, spawn_app};

/// Takes webhook posts; answers with `status` (503 plays "down").
#[derive(Clone)]
pub struct Receiver {
    got: Arc<Mutex<Vec<(String, Value)>>>,
    status: Arc<AtomicU16>,
    address: SocketAddr,
}

impl Receiver {
    pub async fn start(status: u16) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let receiver = Receiver {
            got: Arc::default(),
            status: Arc::new(AtomicU16::new(status)),
            address: listener.local_addr().unwrap(),
        };
        let router = axum::Router::new()
            .route("/{path}", axum::routing::post(take))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        receiver
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{path}", self.address)
    }

    /// The bodies posted to `path` so far.
    pub fn bodies(&self, path: &str) -> Vec<Value> {
        let got = self.got.lock().unwrap();
        got.iter()
            .filter(|(p, _)| p == path)
            .map(|(_, b)| b.clone())
            .collect()
    }

    /// Waits until `path` has received `count` bodies.
    pub async fn wait_for(&self, path: &str, count: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let bodies = self.bodies(path);
            if bodies.len() >= count || Instant::now() > deadline {
                assert_eq!(bodies.len(), count, "{path}: {bodies:#?}");
                return bodies;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn take(
    State(receiver): State<Receiver>,
    Path(path): Path<String>,
    Json(body): Json<Value>,
) -> StatusCode {
    let status = StatusCode::from_u16(receiver.status.load(Ordering::SeqCst)).unwrap();
    if status.is_success() {
        receiver.got.lock().unwrap().push((path, body));
    }
    status
}

pub async fn target(app: &TestApp, body: Value) -> u16 {
    let response = app
        .client
        .post(app.url("/api/v1/notification-targets"))
        .json(&body)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

/// Puts the alert's last notification two hours back, as if time passed.
async fn age_last_notification(app: &TestApp, id: i64) {
    let mut db = app.database.as_ref().unwrap().connect().await;
    sqlx::query("update alerts set last_notified_at = now() - interval '2 hours' where id = $1")
        .bind(id)
        .execute(&mut db)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_alert_is_delivered_retried_acknowledged_repeated_and_resolved() {
    let app = spawn_app().await;
    // Down at first: the deliveries must wait and retry.
    let receiver = Receiver::start(503).await;
    let bad = json!({ "name": "", "kind": "pager", "url": "ftp://x", "repeat_interval": "5s" });
    assert_eq!(target(&app, bad).await, 422);
    let am = json!({ "name": "alertmanager-receiver", "kind": "alertmanager", "url": receiver.url("am") });
    assert_eq!(target(&app, am).await, 201);
    let generic = json!({ "name": "chat", "kind": "json", "url": receiver.url("json"), "repeat_interval": "1h" });
    assert_eq!(target(&app, generic).await, 201);

    send(
        &app,
        "/v1/traces",
        requests("payments", 10, 5, 20).encode_to_vec(),
    )
    .await;
    let db = app.db();
    let now = Utc::now();
    evaluate_once(&db, now).await.unwrap();
    let alerts: Vec<Value> = app
        .get("/api/v1/alerts?state=firing")
        .await
        .json()
        .await
        .unwrap();
    let id = alerts[0]["id"].as_i64().unwrap();

    // Two failed attempts (1 s, then 2 s apart), then the receiver is up.
    let log_url = format!("/api/v1/alerts/{id}/notifications");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let log: Vec<Value> = app.get(&log_url).await.json().await.unwrap();
        if log.iter().all(|d| d["attempts"].as_i64().unwrap() >= 2) && log.len() == 2 {
            assert_eq!(log[0]["last_status"], 503, "{log:#?}");
            assert_eq!(log[0]["delivered_at"], Value::Null);
            break;
        }
        assert!(Instant::now() < deadline, "no retries: {log:#?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    receiver.status.store(200, Ordering::SeqCst);
    let fired = receiver.wait_for("am", 1).await;
    assert_eq!(fired[0]["version"], "4");
    assert_eq!(fired[0]["status"], "firing");
    assert_eq!(fired[0]["receiver"], "alertmanager-receiver");
    assert_eq!(
        fired[0]["alerts"][0]["labels"]["alertname"],
        "High error rate"
    );
    assert_eq!(fired[0]["alerts"][0]["labels"]["service"], "payments");
    assert!(
        fired[0]["alerts"][0]["annotations"]["summary"]
            .as_str()
            .unwrap()
            .contains("50.0 %")
    );
    let chat = receiver.wait_for("json", 1).await;
    assert_eq!(chat[0]["event"], "firing");
    assert_eq!(chat[0]["alert"]["service"], "payments");
    // The sender records a delivery once the receiver has answered, so
    // the log may lag the receiver by a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log: Vec<Value> = app.get(&log_url).await.json().await.unwrap();
        let delivered = log
            .iter()
            .all(|d| d["delivered_at"].is_string() && d["last_status"] == 200);
        if delivered {
            break;
        }
        assert!(Instant::now() < deadline, "{log:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Unacknowledged past the repeat interval: sent again.
    age_last_notification(&app, id).await;
    let summary = evaluate_once(&db, now + chrono::Duration::seconds(15))
        .await
        .unwrap();
    assert_eq!(summary.repeated, 1);
    assert_eq!(receiver.wait_for("json", 2).await[1]["event"], "repeat");

    // Acknowledged: the receivers hear of it, and the repeats stop.
    let ack = app
        .client
        .post(app.url(&format!("/api/v1/alerts/{id}/ack")))
        .json(&json!({ "comment": "on it" }))
        .send()
        .await
        .unwrap();
    assert_eq!(ack.status(), 200);
    let chat = receiver.wait_for("json", 3).await;
    assert_eq!(chat[2]["event"], "acknowledged");
    assert_eq!(chat[2]["alert"]["comment"], "on it");
    let am = receiver.wait_for("am", 3).await;
    assert_eq!(
        am[2]["alerts"][0]["annotations"]["acknowledged_by"],
        "admin"
    );
    age_last_notification(&app, id).await;
    let summary = evaluate_once(&db, now + chrono::Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(summary.repeated, 0, "no repeats once acknowledged");

    // The errors leave the window: resolved, and said so.
    evaluate_once(&db, now + chrono::Duration::minutes(10))
        .await
        .unwrap();
    let chat = receiver.wait_for("json", 4).await;
    assert_eq!(chat[3]["event"], "resolved");
    let am = receiver.wait_for("am", 4).await;
    assert_eq!(am[3]["status"], "resolved");
    assert_eq!(am[3]["alerts"][0]["status"], "resolved");
    app.shutdown().await.unwrap();
}

/// The whole loop as it runs in production: spans over OTLP, the server's
/// own evaluation job (every second here), the webhook, the ack, and the
/// resolution once the rule no longer holds.
#[tokio::test]
async fn errors_sent_over_otlp_page_the_receiver_through_the_live_loop() {
    let database = crate::helpers::TestDatabase::create().await;
    let config = crate::helpers::config_with(&database.url, &["--alert-interval", "1s"]);
    let mut app = crate::helpers::spawn_app_with(config).await;
    app.database = Some(database);
    app.wait_until_ready(Duration::from_secs(20)).await;
    app.sign_in_as_admin().await;
    let receiver = Receiver::start(200).await;
    let hook = json!({ "name": "hook", "kind": "json", "url": receiver.url("live") });
    assert_eq!(target(&app, hook).await, 201);

    send(
        &app,
        "/v1/traces",
        requests("checkout", 10, 3, 20).encode_to_vec(),
    )
    .await;
    let fired = receiver.wait_for("live", 1).await;
    assert_eq!(fired[0]["event"], "firing");
    assert_eq!(fired[0]["alert"]["service"], "checkout");
    let id = fired[0]["alert"]["id"].as_i64().unwrap();

    let ack_url = app.url(&format!("/api/v1/alerts/{id}/ack"));
    let ack = app.client.post(&ack_url).send().await.unwrap();
    assert_eq!(ack.status(), 200);
    assert_eq!(
        receiver.wait_for("live", 2).await[1]["event"],
        "acknowledged"
    );

    // The error rate stops breaking the rule (its threshold is raised):
    // the next evaluation resolves it, and the receiver hears.
    let rules: Vec<Value> = app.get("/api/v1/rules").await.json().await.unwrap();
    let rule = rules
        .iter()
        .find(|r| r["name"] == "High error rate")
        .unwrap();
    let raised = json!({
        "name": "High error rate", "kind": "error_rate", "comparison": ">",
        "threshold": 0.5, "window": "5m", "severity": "warning"
    });
    let edited = app
        .client
        .put(app.url(&format!("/api/v1/rules/{}", rule["id"])))
        .json(&raised)
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);
    let resolved = receiver.wait_for("live", 3).await;
    assert_eq!(resolved[2]["event"], "resolved");
    assert_eq!(resolved[2]["alert"]["state"], "resolved");
    assert_eq!(resolved[2]["alert"]["acknowledged_by"], "admin");
    app.shutdown().await.unwrap();
}
