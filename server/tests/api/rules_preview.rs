//! A rule's preview replays the evaluator over the last hours of real
//! data: an error burst three hours ago fires and resolves; the rule page
//! and its server functions are admins' only.

use app::model::alert::{AlertRule, Comparison, RuleKind, Severity};
use chrono::{Duration, Utc};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use prost::Message;
use server::alerts::preview::preview;

use crate::alerts::send;
use crate::helpers::spawn_app;

/// Ten server spans of `service` ending `ago` before now, `errors` failed.
fn requests_at(service: &str, ago: Duration, errors: u8, seed: u8) -> ExportTraceServiceRequest {
    let end = u64::try_from((Utc::now() - ago).timestamp_nanos_opt().unwrap()).unwrap();
    let spans = (0..10u8)
        .map(|i| Span {
            trace_id: vec![seed, i + 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            span_id: vec![seed, i + 1, 0, 0, 0, 0, 0, 1],
            name: "GET /report".into(),
            kind: 2,
            start_time_unix_nano: end - 10_000_000,
            end_time_unix_nano: end,
            status: Some(Status {
                code: if i < errors { 2 } else { 1 },
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![KeyValue {
                    key: "service.name".into(),
                    value: Some(AnyValue {
                        value: Some(Value::StringValue(service.into())),
                    }),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
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
    }
}

#[tokio::test]
async fn a_past_error_burst_fires_and_resolves_in_the_preview() {
    let app = spawn_app().await;
    // Failing three hours ago, healthy an hour ago.
    send(
        &app,
        "/v1/traces",
        requests_at("reports", Duration::hours(3), 6, 1).encode_to_vec(),
    )
    .await;
    send(
        &app,
        "/v1/traces",
        requests_at("reports", Duration::hours(1), 0, 2).encode_to_vec(),
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
