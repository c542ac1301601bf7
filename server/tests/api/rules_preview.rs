//! A rule's preview replays the evaluator over the last hours of real
//! data: an error burst three hours ago fires and resolves. A rule on one
//! operation sees what the whole service's figures hide.

use app::model::alert::{AlertRule, Comparison, RuleKind, Severity};
use chrono::{Duration, Utc};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use server::alerts::preview::preview;

use crate::alerts::{requests_ending, send};
use crate::helpers::spawn_app;

/// Ten server spans of `service` ending `ago` before now, `errors` failed.
fn requests_at(service: &str, ago: Duration, errors: u8) -> ExportTraceServiceRequest {
    let end = u64::try_from((Utc::now() - ago).timestamp_nanos_opt().unwrap()).unwrap();
    requests_ending(end, service, 10, errors, 10)
}

fn error_rule(for_secs: i32) -> AlertRule {
    AlertRule {
        id: 0,
        name: "preview".into(),
        kind: RuleKind::ErrorRate,
        statistic: String::new(),
        services: vec![],
        comparison: Comparison::Above,
        threshold: 0.05,
        window_secs: 300,
        for_secs,
        severity: Severity::Warning,
        labels: Default::default(),
        runbook_url: String::new(),
        enabled: true,
        builtin: false,
        notify: vec![],
        operation: String::new(),
    }
}

#[tokio::test]
async fn a_past_error_burst_fires_and_resolves_in_the_preview() {
    let app = spawn_app().await;
    // Failing three hours ago, healthy an hour ago.
    send(
        &app,
        "/v1/traces",
        requests_at("reports", Duration::hours(3), 6).encode_to_vec(),
    )
    .await;
    send(
        &app,
        "/v1/traces",
        requests_at("reports", Duration::hours(1), 0).encode_to_vec(),
    )
    .await;
    let db = app.db();
    let now = Utc::now();
    let replay = preview(&db, &error_rule(0), now).await.unwrap();
    assert_eq!(replay.series.len(), 1, "{replay:#?}");
    let series = &replay.series[0];
    assert_eq!(series.service, "reports");
    assert_eq!(series.values.len(), 73, "six hours in 5-minute steps");
    let fired: Vec<_> = series.episodes.iter().filter(|e| e.fired()).collect();
    assert_eq!(fired.len(), 1, "{:#?}", series.episodes);
    let firing_at = fired[0].firing_at.unwrap();
    let resolved_at = fired[0].resolved_at.expect("it resolved");
    // The 5-minute window sees the burst for at most 5 minutes.
    assert!(
        (now - firing_at - Duration::hours(3)).num_minutes().abs() <= 6,
        "{firing_at}"
    );
    assert!(resolved_at > firing_at && resolved_at - firing_at <= Duration::minutes(10));
    assert_eq!(replay.summary(), "Would have fired once");

    // A `for` longer than the burst: pending, never firing.
    let patient = preview(&db, &error_rule(1_800), now).await.unwrap();
    let episodes = &patient.series[0].episodes;
    assert!(!episodes.is_empty() && episodes.iter().all(|e| !e.fired()));
    assert!(patient.summary().starts_with("Would not have fired"));

    // Check rules have no past to replay, and say so.
    let check = AlertRule {
        kind: RuleKind::Check,
        statistic: "unhealthy".into(),
        ..error_rule(0)
    };
    let said = preview(&db, &check, now).await.unwrap();
    assert!(said.series.is_empty() && said.note.is_some());

    // The page lists the rules for everyone signed in.
    let page = app.get("/rules").await.text().await.unwrap();
    assert!(page.contains("High error rate") && page.contains("data-testid=\"rules\""));
}

#[tokio::test]
async fn a_rule_on_one_operation_fires_where_the_service_rate_stays_low() {
    let app = spawn_app().await;
    let now_ns = u64::try_from(Utc::now().timestamp_nanos_opt().unwrap()).unwrap();
    // Half of POST /pay fails; a hundred health probes succeed.
    send(
        &app,
        "/v1/traces",
        requests_ending(now_ns, "payments", 10, 5, 20).encode_to_vec(),
    )
    .await;
    for batch in 0..5u64 {
        let mut probes = requests_ending(now_ns - (batch + 1) * 256, "payments", 20, 0, 1);
        for span in &mut probes.resource_spans[0].scope_spans[0].spans {
            span.name = "GET /health".into();
        }
        send(&app, "/v1/traces", probes.encode_to_vec()).await;
    }
    let rule = serde_json::json!({
        "name": "Payments failing", "kind": "error_rate", "services": ["payments"],
        "operation": "POST /pay", "comparison": ">", "threshold": 0.2, "window": "5m",
        "severity": "critical",
    });
    let (created, _) = app.post_json("/api/v1/rules", rule).await;
    assert_eq!(created, 201);
    let misplaced = serde_json::json!({
        "name": "Memory of an operation", "kind": "memory", "statistic": "utilization",
        "operation": "POST /pay", "comparison": ">", "threshold": 0.8, "window": "5m",
        "severity": "critical",
    });
    let (refused, _) = app.post_json("/api/v1/rules", misplaced).await;
    assert_eq!(refused, 422);

    server::alerts::evaluate_once(&app.db(), Utc::now())
        .await
        .unwrap();
    let alerts: Vec<serde_json::Value> = app
        .get("/api/v1/alerts?state=firing")
        .await
        .json()
        .await
        .unwrap();
    let rules: Vec<&str> = alerts.iter().map(|a| a["rule"].as_str().unwrap()).collect();
    // 5 errors in 110 requests is 4.5 %: the service-wide rule stays quiet.
    assert_eq!(rules, ["Payments failing"], "{alerts:#?}");
    assert_eq!(alerts[0]["value"], 0.5);
}
