//! Silences over the JSON API and through the evaluator with a fixed
//! clock: matching, expiry and the catch-up notification, maintenance
//! windows in a time zone, mute until resolved, the reminder before the
//! end, and per-rule notification targets.

use app::model::role::Role;
use chrono::{DateTime, Timelike, Utc};
use prost::Message;
use serde_json::{Value, json};
use server::alerts::evaluate_once;

use crate::alerts::{requests, send};
use crate::helpers::{TestApp, client_with_token, spawn_app};
use crate::notifications::{Receiver, target};

/// The open alert on `service`.
async fn alert_on(app: &TestApp, service: &str) -> Value {
    let alerts = app.get_json("/api/v1/alerts?state=firing").await;
    alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["service"] == service)
        .unwrap_or_else(|| panic!("no alert on {service}: {alerts:#}"))
        .clone()
}

fn fields(body: &Value) -> Vec<&str> {
    body["error"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields: {body:#}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

#[tokio::test]
async fn a_silence_mutes_matching_alerts_until_it_is_expired() {
    let app = spawn_app().await;
    let receiver = Receiver::start(200).await;
    let chat = json!({ "name": "chat", "kind": "json", "url": receiver.url("json") });
    assert_eq!(target(&app, chat).await, 201);

    // Bad input is named field by field; viewers cannot mute.
    let (status, body) = app
        .post_json("/api/v1/silences", json!({ "matchers": [] }))
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["comment", "matchers", "ends_at"]);
    let (status, _) = app
        .post_json("/api/v1/silences", json!({ "comment": 1 }))
        .await;
    assert_eq!(status, 400);
    let (_, token) = app.user_with_token("vic", Role::Viewer).await;
    let viewer = client_with_token(&token)
        .post(app.url("/api/v1/silences"))
        .json(&json!({ "matchers": [{"name": "service", "value": "payments"}], "duration": "1h", "comment": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(viewer.status(), 403);

    let (status, silence) = app
        .post_json(
            "/api/v1/silences",
            json!({
                "matchers": [{ "name": "service", "value": "pay.*", "is_regex": true }],
                "duration": "1h",
                "comment": "card processor migration",
            }),
        )
        .await;
    assert_eq!(status, 201, "{silence:#}");
    assert_eq!(silence["state"], "active");
    assert_eq!(silence["created_by"], "admin");
    let silence_id = silence["id"].as_i64().unwrap();

    for service in ["payments", "orders"] {
        send(
            &app,
            "/v1/traces",
            requests(service, 10, 5, 20).encode_to_vec(),
        )
        .await;
    }
    let db = app.db();
    let now = Utc::now();
    let summary = evaluate_once(&db, now).await.unwrap();
    assert_eq!((summary.fired, summary.silenced), (2, 1));
    let payments = alert_on(&app, "payments").await;
    assert_eq!(payments["silenced_by"], silence_id);
    assert_eq!(alert_on(&app, "orders").await["silenced_by"], Value::Null);
    // Only the unmuted alert is sent.
    let sent = receiver.wait_for("json", 1).await;
    assert_eq!(sent[0]["alert"]["service"], "orders");
    let listed = app
        .get_json(&format!("/api/v1/silences/{silence_id}"))
        .await;
    assert_eq!(listed["muting"], 1);

    // Alertmanager clients see it suppressed, and can leave it out.
    let am = app
        .get_json("/api/v2/alerts?filter=service%3D%22payments%22")
        .await;
    assert_eq!(am[0]["status"]["state"], "suppressed");
    assert_eq!(am[0]["status"]["silencedBy"][0], silence_id.to_string());
    let unmuted = app.get_json("/api/v2/alerts?silenced=false").await;
    assert_eq!(unmuted.as_array().unwrap().len(), 1);
    let am_silences = app.get_json("/api/v2/silences").await;
    assert_eq!(am_silences[0]["matchers"][0]["isRegex"], true);
    assert_eq!(am_silences[0]["status"]["state"], "active");

    // Expired by hand: the alert still firing is announced at last.
    let expire = app
        .client
        .delete(app.url(&format!("/api/v1/silences/{silence_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(expire.status(), 204);
    let again = app
        .client
        .delete(app.url(&format!("/api/v1/silences/{silence_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let summary = evaluate_once(&db, Utc::now()).await.unwrap();
    assert_eq!(summary.silenced, 0);
    let sent = receiver.wait_for("json", 2).await;
    assert_eq!(
        (&sent[1]["event"], &sent[1]["alert"]["service"]),
        (&json!("firing"), &json!("payments"))
    );
    let expired = app.get_json("/api/v1/silences?state=all").await;
    assert_eq!(expired[0]["state"], "expired");
    assert_eq!(expired[0]["expired_by"], "admin");
    assert_eq!(app.get_json("/api/v1/silences").await, json!([]));
    let audit = db.audit_records(None, "silence.", 10).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["silence.expire", "silence.create"]);
    assert_eq!(audit[1].detail, "card processor migration");
}

#[tokio::test]
async fn maintenance_windows_follow_weekdays_in_their_time_zone() {
    let app = spawn_app().await;
    let db = app.db();
    let window = |weekdays: Value, start: &str, duration: &str, timezone: &str| {
        json!({
            "matchers": [{ "name": "service", "value": "database" }],
            "starts_at": "2026-11-01T00:00:00Z",
            "recurrence": { "weekdays": weekdays, "start": start, "duration": duration, "timezone": timezone },
            "comment": "weekly vacuum",
        })
    };
    let (status, body) = app
        .post_json(
            "/api/v1/silences",
            window(json!(["sun"]), "02:00", "2h", "Mars/Olympus"),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["recurrence.timezone"]);
    // Sundays 02:00–04:00 in Berlin (UTC+1 in December).
    let (status, sunday) = app
        .post_json(
            "/api/v1/silences",
            window(json!(["sun"]), "02:00", "2h", "Europe/Berlin"),
        )
        .await;
    assert_eq!(status, 201, "{sunday:#}");
    assert_eq!(sunday["recurrence"]["weekdays"], json!([7]));
    let active_at = |at: &'static str| {
        let db = db.clone();
        async move {
            let ids: Vec<i64> = db
                .active_silences(utc(at))
                .await
                .unwrap()
                .iter()
                .map(|s| s.id)
                .collect();
            ids
        }
    };
    let id = sunday["id"].as_i64().unwrap();
    assert_eq!(
        active_at("2026-12-06T01:30:00Z").await,
        [id],
        "02:30 Berlin"
    );
    assert!(
        active_at("2026-12-06T00:30:00Z").await.is_empty(),
        "01:30 Berlin"
    );
    assert!(
        active_at("2026-12-06T03:00:00Z").await.is_empty(),
        "04:00 Berlin"
    );
    assert!(
        active_at("2026-12-05T01:30:00Z").await.is_empty(),
        "a Saturday"
    );
    // Summer time moves the window with the clock: 00:30 UTC in July.
    assert_eq!(active_at("2027-07-04T00:30:00Z").await, [id]);

    // A window from Saturday 23:00 for 2h runs into Sunday.
    let (_, late) = app
        .post_json(
            "/api/v1/silences",
            window(json!(["sat"]), "23:00", "2h", "UTC"),
        )
        .await;
    let late = late["id"].as_i64().unwrap();
    assert_eq!(active_at("2026-12-06T00:30:00Z").await, [late]);
    assert!(active_at("2026-12-06T01:30:00Z").await.contains(&id));

    // A window open now mutes the evaluator's alerts.
    let now = Utc::now();
    let start = format!("{:02}:00", now.hour());
    let (status, daily) = app
        .post_json(
            "/api/v1/silences",
            window(
                json!(["1", "2", "3", "4", "5", "6", "7"]),
                &start,
                "2h",
                "UTC",
            ),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(daily["state"], "active");
    send(
        &app,
        "/v1/traces",
        requests("database", 10, 5, 20).encode_to_vec(),
    )
    .await;
    evaluate_once(&db, now).await.unwrap();
    assert_eq!(alert_on(&app, "database").await["silenced_by"], daily["id"]);
}

#[tokio::test]
async fn mute_until_resolved_lasts_as_long_as_its_alert() {
    let app = spawn_app().await;
    send(
        &app,
        "/v1/traces",
        requests("payments", 10, 5, 20).encode_to_vec(),
    )
    .await;
    let db = app.db();
    evaluate_once(&db, Utc::now()).await.unwrap();
    let alert = alert_on(&app, "payments").await;
    let alert_id = alert["id"].as_i64().unwrap();

    let (status, body) = app
        .post_json(
            "/api/v1/silences",
            json!({ "alert_id": 999_999, "comment": "known" }),
        )
        .await;
    assert_eq!((status, fields(&body)), (422, vec!["alert_id"]));
    let (status, silence) = app
        .post_json(
            "/api/v1/silences",
            json!({ "alert_id": alert_id, "comment": "known, fix deploying" }),
        )
        .await;
    assert_eq!(status, 201, "{silence:#}");
    assert_eq!(silence["ends_at"], Value::Null);
    // Its matchers say what it mutes, for the lists.
    assert_eq!(silence["matchers"][1]["value"], "payments");
    evaluate_once(&db, Utc::now()).await.unwrap();
    assert_eq!(
        alert_on(&app, "payments").await["silenced_by"],
        silence["id"]
    );

    let resolved = app
        .client
        .post(app.url(&format!("/api/v1/alerts/{alert_id}/resolve")))
        .send()
        .await
        .unwrap();
    assert_eq!(resolved.status(), 200);
    let after = app
        .get_json(&format!("/api/v1/silences/{}", silence["id"]))
        .await;
    assert_eq!(after["state"], "expired");
    // The errors are still there: a new alert, not muted by the old one.
    evaluate_once(&db, Utc::now()).await.unwrap();
    let next = alert_on(&app, "payments").await;
    assert_ne!(next["id"], alert["id"]);
    assert_eq!(next["silenced_by"], Value::Null);
}

#[tokio::test]
async fn a_reminder_goes_out_before_a_silence_ends() {
    let app = spawn_app().await;
    let receiver = Receiver::start(200).await;
    let chat = json!({ "name": "chat", "kind": "json", "url": receiver.url("json") });
    assert_eq!(target(&app, chat).await, 201);
    let silence = |duration: &str| {
        json!({
            "matchers": [{ "name": "severity", "value": "warning" }],
            "duration": duration,
            "comment": "noisy while we load-test",
        })
    };
    let (_, hour) = app.post_json("/api/v1/silences", silence("1h")).await;
    // Made knowing it ends soon: no reminder.
    let (_, short) = app.post_json("/api/v1/silences", silence("10m")).await;
    assert_eq!(short["state"], "active");
    let db = app.db();
    let now = Utc::now();
    let early = evaluate_once(&db, now + chrono::Duration::minutes(30))
        .await
        .unwrap();
    assert_eq!(early.reminded, 0);
    let due = evaluate_once(&db, now + chrono::Duration::minutes(50))
        .await
        .unwrap();
    assert_eq!(due.reminded, 1);
    let later = evaluate_once(&db, now + chrono::Duration::minutes(55))
        .await
        .unwrap();
    assert_eq!(later.reminded, 0, "reminded once");
    let sent = receiver.wait_for("json", 1).await;
    assert_eq!(sent[0]["event"], "silence_expiring");
    assert_eq!(sent[0]["silence"]["id"], hour["id"]);
    assert_eq!(sent[0]["silence"]["matchers"], "{severity=\"warning\"}");
}

#[tokio::test]
async fn a_rule_notifies_only_the_targets_it_names() {
    let app = spawn_app().await;
    let receiver = Receiver::start(200).await;
    for name in ["payments-team", "everyone"] {
        let body = json!({ "name": name, "kind": "json", "url": receiver.url(name) });
        assert_eq!(target(&app, body).await, 201);
    }
    let rules = app.get_json("/api/v1/rules").await;
    let errors = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "error_rate")
        .unwrap()
        .clone();
    let mut input = json!({
        "name": errors["name"], "kind": "error_rate", "comparison": ">", "threshold": 0.05,
        "window": "5m", "severity": "critical", "labels": { "team": "payments" },
        "notify": ["nobody"],
    });
    let put = |body: Value| {
        app.client
            .put(app.url(&format!("/api/v1/rules/{}", errors["id"])))
            .json(&body)
            .send()
    };
    let refused = put(input.clone()).await.unwrap();
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(fields(&body), ["notify"]);
    input["notify"] = json!(["payments-team"]);
    assert_eq!(put(input).await.unwrap().status(), 200);

    send(
        &app,
        "/v1/traces",
        requests("payments", 10, 5, 20).encode_to_vec(),
    )
    .await;
    evaluate_once(&app.db(), Utc::now()).await.unwrap();
    let sent = receiver.wait_for("payments-team", 1).await;
    assert_eq!(sent[0]["alert"]["service"], "payments");
    // The rule's labels travel with the alert.
    let am = app.get_json("/api/v2/alerts").await;
    assert_eq!(am[0]["labels"]["team"], "payments");
    assert!(receiver.bodies("everyone").is_empty());
}
