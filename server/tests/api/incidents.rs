//! Root-cause grouping over a real service map: a chain of services built
//! from OTLP spans, every one failing, and the alerts of the callers named
//! as impacted by the service at the bottom.

use std::time::{Duration, Instant};

use chrono::Utc;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::{Span, Status};
use prost::Message;
use serde_json::Value as Json;
use server::alerts::evaluate_once;

use crate::alerts::send;
use crate::helpers::spawn_app;
use crate::ingest_http::now_ns;
use crate::otlp_build::resource_spans;

const SERVER: i32 = 2;
const CLIENT: i32 = 3;

fn span(trace: u8, id: u8, parent: Option<u8>, kind: i32, failed: bool) -> Span {
    let end = now_ns();
    Span {
        trace_id: vec![trace; 16],
        span_id: vec![trace, id, 0, 0, 0, 0, 0, 1],
        parent_span_id: parent
            .map(|p| vec![trace, p, 0, 0, 0, 0, 0, 1])
            .unwrap_or_default(),
        name: if kind == SERVER { "handle" } else { "call" }.into(),
        kind,
        start_time_unix_nano: end - 20_000_000,
        end_time_unix_nano: end,
        status: Some(Status {
            code: if failed { 2 } else { 1 },
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Ten traces down `chain` (each service's server span calls the next
/// one's through a client span); half of them fail all the way.
fn traces_down(chain: &[&str]) -> ExportTraceServiceRequest {
    let mut by_service: Vec<Vec<Span>> = vec![Vec::new(); chain.len()];
    for trace in 1..=10u8 {
        let failed = trace <= 5;
        for (hop, spans) in by_service.iter_mut().enumerate() {
            let hop = u8::try_from(hop).unwrap();
            // Span ids: server 2·hop+1, its outgoing client 2·hop+2.
            let server_parent = hop.checked_sub(1).map(|h| 2 * h + 2);
            spans.push(span(trace, 2 * hop + 1, server_parent, SERVER, failed));
            if usize::from(hop) + 1 < chain.len() {
                spans.push(span(trace, 2 * hop + 2, Some(2 * hop + 1), CLIENT, failed));
            }
        }
    }
    ExportTraceServiceRequest {
        resource_spans: chain
            .iter()
            .zip(by_service)
            .map(|(service, spans)| resource_spans(service, spans))
            .collect(),
    }
}

#[tokio::test]
async fn callers_of_a_failing_service_are_grouped_under_it() {
    let app = spawn_app().await;
    let chain = ["gateway", "orders", "payments"];
    send(&app, "/v1/traces", traces_down(&chain).encode_to_vec()).await;
    // A service off the chain fails on its own.
    send(
        &app,
        "/v1/traces",
        traces_down(&["reports"]).encode_to_vec(),
    )
    .await;
    let db = app.db();
    let deadline = Instant::now() + Duration::from_secs(30);
    while db.edges(0, i64::MAX).await.unwrap().len() < 2 {
        assert!(Instant::now() < deadline, "the map never showed the chain");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    evaluate_once(&db, Utc::now()).await.unwrap();

    let alerts: Vec<Json> = app
        .get("/api/v1/alerts?state=firing")
        .await
        .json()
        .await
        .unwrap();
    let impacted_by = |service: &str| {
        let alert = alerts
            .iter()
            .find(|a| a["service"] == service && a["kind"] == "error_rate")
            .unwrap_or_else(|| panic!("no alert on {service}: {alerts:#?}"));
        alert["impacted_by"].clone()
    };
    assert_eq!(impacted_by("gateway"), serde_json::json!(["payments"]));
    assert_eq!(impacted_by("orders"), serde_json::json!(["payments"]));
    assert_eq!(impacted_by("payments"), serde_json::json!([]));
    assert_eq!(impacted_by("reports"), serde_json::json!([]));

    // The page shows one incident at payments, the callers folded under it.
    let page = app.get("/alerts").await.text().await.unwrap();
    assert_eq!(page.matches("class=\"incident\"").count(), 1, "{page}");
    assert!(page.contains("data-root=\"payments\""));
    let summary = page
        .split("2 alerts on services that call it: ")
        .nth(1)
        .expect("the impacted alerts' summary");
    assert!(
        summary.starts_with("gateway, orders") || summary.starts_with("orders, gateway"),
        "{summary}"
    );
}
