//! Alert rules evaluated over real data: spans sent over OTLP, metrics,
//! health checks; time driven explicitly through `evaluate_once(now)`.

use std::time::Duration;

use app::model::role::Role;
use app::storage::lease::LeaseKey;
use chrono::Utc;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::{
    Gauge, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, metric::Data, number_data_point,
};
use opentelemetry_proto::tonic::trace::v1::{Span, Status};
use prost::Message;
use serde_json::{Value as Json, json};
use server::alerts::evaluate_once;

use crate::helpers::{TestApp, client_with_token, spawn_app};
use crate::ingest_http::{PROTOBUF, now_ns};
use crate::otlp_build::{resource, resource_spans};

/// `total` server spans of `service` ending now, `errors` of them failed,
/// each lasting `duration_ms`.
pub fn requests(
    service: &str,
    total: u8,
    errors: u8,
    duration_ms: u64,
) -> ExportTraceServiceRequest {
    requests_ending(now_ns(), service, total, errors, duration_ms)
}

/// The same, ending at `end` (unix ns). Trace ids start with the end's
/// low byte, so batches ending at different times do not share them.
pub fn requests_ending(
    end: u64,
    service: &str,
    total: u8,
    errors: u8,
    duration_ms: u64,
) -> ExportTraceServiceRequest {
    let seed = end.to_le_bytes()[1];
    let spans = (0..total)
        .map(|i| Span {
            trace_id: [vec![seed], vec![i + 1; 15]].concat(),
            span_id: [vec![seed], vec![i + 1; 7]].concat(),
            name: "POST /pay".into(),
            kind: 2,
            start_time_unix_nano: end - duration_ms * 1_000_000,
            end_time_unix_nano: end,
            status: Some(Status {
                code: if i < errors { 2 } else { 1 },
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    ExportTraceServiceRequest {
        resource_spans: vec![resource_spans(service, spans)],
    }
}

pub async fn send(app: &TestApp, path: &str, body: Vec<u8>) {
    let response = app
        .anonymous
        .post(format!("http://{}{path}", app.otlp_http_address))
        .header("content-type", PROTOBUF)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn alerts(app: &TestApp, query: &str) -> Vec<Json> {
    let answer = app.get_json(&format!("/api/v1/alerts{query}")).await;
    serde_json::from_value(answer).unwrap()
}

#[tokio::test]
async fn an_error_rate_alert_fires_is_acknowledged_and_resolves() {
    let app = spawn_app().await;
    send(
        &app,
        "/v1/traces",
        requests("payments", 20, 4, 30).encode_to_vec(),
    )
    .await;
    send(
        &app,
        "/v1/traces",
        requests("orders", 20, 0, 30).encode_to_vec(),
    )
    .await;
    let db = app.db();
    let now = Utc::now();

    let summary = evaluate_once(&db, now).await.unwrap();
    assert_eq!(summary.rules, 4, "the built-in rules");
    let firing = alerts(&app, "?state=firing").await;
    assert_eq!(firing.len(), 1, "{firing:#?}");
    let alert = &firing[0];
    assert_eq!(alert["rule"], "High error rate");
    assert_eq!(alert["service"], "payments");
    assert_eq!(alert["severity"], "warning");
    assert!(
        (alert["value"].as_f64().unwrap() - 0.2).abs() < 1e-9,
        "{alert}"
    );
    assert_eq!(alert["acknowledged_by"], Json::Null);
    let id = alert["id"].as_i64().unwrap();

    // A responder acknowledges it with a comment; a viewer may not.
    let (_, viewer) = app.user_with_token("watcher", Role::Viewer).await;
    let (_, responder) = app.user_with_token("oncall", Role::Responder).await;
    let ack_url = app.url(&format!("/api/v1/alerts/{id}/ack"));
    let body = json!({ "comment": "rolling back the deploy" });
    let refused = client_with_token(&viewer)
        .post(&ack_url)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let acked = client_with_token(&responder)
        .post(&ack_url)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(acked.status(), 200);
    let acked: Json = acked.json().await.unwrap();
    assert_eq!(acked["acknowledged_by"], "oncall");
    assert_eq!(acked["comment"], "rolling back the deploy");
    assert!(acked["acknowledged_at"].is_string());

    // Still failing 15 s later: the same alert, still acknowledged.
    evaluate_once(&db, now + chrono::Duration::seconds(15))
        .await
        .unwrap();
    let again = alerts(&app, "?state=firing").await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["id"], id);
    assert_eq!(again[0]["acknowledged_by"], "oncall");

    // Alertmanager's API shows it to amtool and Grafana.
    let am: Vec<Json> = app.get("/api/v2/alerts").await.json().await.unwrap();
    assert_eq!(am.len(), 1, "{am:#?}");
    assert_eq!(am[0]["labels"]["alertname"], "High error rate");
    assert_eq!(am[0]["labels"]["service"], "payments");
    assert_eq!(am[0]["labels"]["severity"], "warning");
    assert_eq!(am[0]["status"]["state"], "active");
    assert_eq!(am[0]["annotations"]["acknowledged_by"], "oncall");
    assert!(am[0]["startsAt"].is_string() && am[0]["endsAt"].is_string());
    let filtered = app
        .get("/api/v2/alerts?filter=service%3D%22orders%22")
        .await;
    assert_eq!(filtered.json::<Vec<Json>>().await.unwrap().len(), 0);
    let status = app
        .get("/api/v2/status")
        .await
        .json::<Json>()
        .await
        .unwrap();
    assert_eq!(status["cluster"]["status"], "ready");

    // Ten minutes on, the errors are out of the window: resolved.
    let later = now + chrono::Duration::minutes(10);
    let summary = evaluate_once(&db, later).await.unwrap();
    assert_eq!(summary.resolved, 1);
    let resolved = app
        .get(&format!("/api/v1/alerts/{id}"))
        .await
        .json::<Json>()
        .await
        .unwrap();
    assert_eq!(resolved["state"], "resolved");
    assert!(resolved["resolved_at"].is_string());

    // The history: through the API, and on the alert's page.
    let history: Json = app
        .get(&format!("/api/v1/alerts/{id}/history"))
        .await
        .json()
        .await
        .unwrap();
    let steps: Vec<(Json, Json)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["from_state"].clone(), t["to_state"].clone()))
        .collect();
    assert_eq!(
        steps,
        [
            (Json::Null, json!("firing")),
            (json!("firing"), json!("resolved"))
        ]
    );
    assert_eq!(
        history[1]["note"],
        "no longer measured (no data, or the rule is disabled)"
    );
    let page = app
        .get(&format!("/alerts/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"timeline\""), "{page}");
    assert!(page.contains("no longer measured"));
    let ack = page
        .split("class=\"ack\"")
        .nth(1)
        .expect("the acknowledgement");
    assert!(
        ack.contains("Acknowledged by") && ack.contains("oncall"),
        "{ack}"
    );
    let mut connection = app.database.as_ref().unwrap().connect().await;
    let audit: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action = 'alert.ack' and actor = 'oncall'",
    )
    .fetch_one(&mut connection)
    .await
    .unwrap();
    assert_eq!(audit, 1);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn slow_services_and_full_memory_fire_their_rules() {
    let app = spawn_app().await;
    send(
        &app,
        "/v1/traces",
        requests("orders", 10, 0, 2_500).encode_to_vec(),
    )
    .await;
    let gauge = |service: &str, name: &str, value: f64| ResourceMetrics {
        resource: resource(service),
        scope_metrics: vec![ScopeMetrics {
            metrics: vec![Metric {
                name: name.into(),
                unit: "1".into(),
                data: Some(Data::Gauge(Gauge {
                    data_points: vec![NumberDataPoint {
                        time_unix_nano: now_ns(),
                        value: Some(number_data_point::Value::AsDouble(value)),
                        ..Default::default()
                    }],
                })),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    let metrics = ExportMetricsServiceRequest {
        resource_metrics: vec![
            gauge("notifications", "system.memory.utilization", 0.93),
            gauge("ledger", "system.memory.utilization", 0.41),
        ],
    };
    send(&app, "/v1/metrics", metrics.encode_to_vec()).await;

    evaluate_once(&app.db(), Utc::now()).await.unwrap();
    let firing = alerts(&app, "?state=firing").await;
    let by_rule = |rule: &str| {
        firing
            .iter()
            .filter(|a| a["rule"] == rule)
            .collect::<Vec<_>>()
    };
    let slow = by_rule("Slow responses");
    assert_eq!(slow.len(), 1, "{firing:#?}");
    assert_eq!(slow[0]["service"], "orders");
    assert!((slow[0]["value"].as_f64().unwrap() - 2.5).abs() < 0.01);
    let memory = by_rule("Memory nearly full");
    assert_eq!(memory.len(), 1, "{firing:#?}");
    assert_eq!(memory[0]["service"], "notifications");
    assert_eq!(memory[0]["severity"], "critical");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn one_replica_at_a_time_holds_the_evaluation_lease() {
    let app = spawn_app().await;
    let (first, second) = (app.db(), app.db());
    let held = first
        .try_take_lease(LeaseKey::AlertEvaluation)
        .await
        .unwrap();
    assert!(held.is_some());
    assert!(
        second
            .try_take_lease(LeaseKey::AlertEvaluation)
            .await
            .unwrap()
            .is_none()
    );
    // The holder goes away (its connection closes): the other takes over.
    drop(held);
    let mut taken = None;
    for _ in 0..50 {
        taken = second
            .try_take_lease(LeaseKey::AlertEvaluation)
            .await
            .unwrap();
        if taken.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(taken.as_mut().expect("taken over").alive().await);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn rules_are_created_checked_edited_and_built_ins_only_disabled() {
    let app = spawn_app().await;
    send(
        &app,
        "/v1/traces",
        requests("search", 10, 0, 800).encode_to_vec(),
    )
    .await;
    let rules_url = app.url("/api/v1/rules");
    let bad = json!({
        "name": "", "kind": "latency", "statistic": "p42", "comparison": ">",
        "threshold": 0.5, "window": "5s", "severity": "page"
    });
    let refused = app.client.post(&rules_url).json(&bad).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    let body: Json = refused.json().await.unwrap();
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .map(|f| f.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        fields,
        ["name", "statistic", "window", "severity"],
        "{body}"
    );

    let p95 = json!({
        "name": "Search p95", "kind": "latency", "statistic": "p95", "services": ["search"],
        "comparison": ">", "threshold": 0.5, "window": "5m", "for": "0s", "severity": "critical",
        "runbook_url": "https://wiki.example/search"
    });
    let created = app.client.post(&rules_url).json(&p95).send().await.unwrap();
    assert_eq!(created.status(), 201);
    let rule: Json = created.json().await.unwrap();
    let again = app.client.post(&rules_url).json(&p95).send().await.unwrap();
    assert_eq!(again.status(), 422, "the name is taken");

    let db = app.db();
    let now = Utc::now();
    evaluate_once(&db, now).await.unwrap();
    let firing = alerts(&app, "?state=firing").await;
    assert_eq!(firing.len(), 1, "{firing:#?}");
    assert_eq!(firing[0]["rule"], "Search p95");
    assert_eq!(firing[0]["runbook_url"], "https://wiki.example/search");

    // Raised above the latency: it resolves at the next evaluation.
    let mut raised = p95.clone();
    raised["threshold"] = json!(5.0);
    let edited = app
        .client
        .put(app.url(&format!("/api/v1/rules/{}", rule["id"])))
        .json(&raised)
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);
    evaluate_once(&db, now + chrono::Duration::seconds(15))
        .await
        .unwrap();
    assert!(alerts(&app, "?state=firing").await.is_empty());

    // Built-in rules are disabled, not deleted.
    let rules: Vec<Json> = app.get("/api/v1/rules").await.json().await.unwrap();
    let builtin = rules.iter().find(|r| r["builtin"] == true).unwrap();
    let url = app.url(&format!("/api/v1/rules/{}", builtin["id"]));
    assert_eq!(app.client.delete(&url).send().await.unwrap().status(), 409);
    let own = app.url(&format!("/api/v1/rules/{}", rule["id"]));
    assert_eq!(app.client.delete(&own).send().await.unwrap().status(), 204);
    app.shutdown().await.unwrap();
}

/// A `metric` rule on a counter compares its rate, counting a restart of
/// the counter as new increase rather than a drop.
#[tokio::test]
async fn a_metric_rule_on_a_counter_uses_its_rate_across_a_reset() {
    use opentelemetry_proto::tonic::metrics::v1::Sum;
    let app = spawn_app().await;
    let now = now_ns();
    let second = 1_000_000_000u64;
    // 100 → 160 (+60), then the worker restarts: 20 (+20). 80 in 40 s.
    let points = [
        (now - 40 * second, now - 100 * second, 100.0),
        (now - 20 * second, now - 100 * second, 160.0),
        (now, now - 5 * second, 20.0),
    ];
    let request = ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: resource("worker"),
            scope_metrics: vec![ScopeMetrics {
                metrics: vec![Metric {
                    name: "jobs.failed".into(),
                    data: Some(Data::Sum(Sum {
                        data_points: points
                            .iter()
                            .map(|&(time, start, value)| NumberDataPoint {
                                start_time_unix_nano: start,
                                time_unix_nano: time,
                                value: Some(number_data_point::Value::AsDouble(value)),
                                ..Default::default()
                            })
                            .collect(),
                        aggregation_temporality: 2,
                        is_monotonic: true,
                    })),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    send(&app, "/v1/metrics", request.encode_to_vec()).await;
    let rule = json!({
        "name": "Failing jobs", "kind": "metric", "statistic": "jobs.failed",
        "comparison": ">", "threshold": 1.5, "window": "5m", "severity": "warning"
    });
    let (created, _) = app.post_json("/api/v1/rules", rule).await;
    assert_eq!(created, 201);
    evaluate_once(&app.db(), Utc::now()).await.unwrap();
    let firing = alerts(&app, "?state=firing").await;
    let failing: Vec<_> = firing
        .iter()
        .filter(|a| a["rule"] == "Failing jobs")
        .collect();
    assert_eq!(failing.len(), 1, "{firing:#?}");
    assert!(
        (failing[0]["value"].as_f64().unwrap() - 2.0).abs() < 1e-6,
        "{}",
        failing[0]
    );
    app.shutdown().await.unwrap();
}
