//! Memory utilisation computed from usage and a known limit, for services
//! that report no utilisation: per instance, JVM pools summed.

use chrono::Utc;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::{
    Gauge, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, metric::Data, number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;
use serde_json::Value as Json;
use server::alerts::evaluate_once;

use crate::alerts::send;
use crate::helpers::spawn_app;
use crate::ingest_http::now_ns;
use crate::otlp_build::text;

/// One instance (`pod`) of `service` reporting `(metric, pool, bytes)`.
fn instance(service: &str, pod: &str, gauges: &[(&str, &str, f64)]) -> ResourceMetrics {
    let metrics = gauges
        .iter()
        .map(|(name, pool, bytes)| Metric {
            name: (*name).into(),
            unit: "By".into(),
            data: Some(Data::Gauge(Gauge {
                data_points: vec![NumberDataPoint {
                    time_unix_nano: now_ns(),
                    value: Some(number_data_point::Value::AsDouble(*bytes)),
                    attributes: if pool.is_empty() {
                        vec![]
                    } else {
                        vec![text("jvm.memory.pool.name", pool)]
                    },
                    ..Default::default()
                }],
            })),
            ..Default::default()
        })
        .collect();
    ResourceMetrics {
        resource: Some(Resource {
            attributes: vec![text("service.name", service), text("k8s.pod.name", pod)],
            ..Default::default()
        }),
        scope_metrics: vec![ScopeMetrics {
            metrics,
            ..Default::default()
        }],
        ..Default::default()
    }
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

#[tokio::test]
async fn memory_over_a_known_limit_fires_the_memory_rule() {
    let app = spawn_app().await;
    let request = ExportMetricsServiceRequest {
        resource_metrics: vec![
            // Two pods: the fuller one (90 %) speaks for the service.
            instance(
                "cache",
                "cache-0",
                &[
                    ("container.memory.usage", "", 0.9 * GIB),
                    ("k8s.container.memory_limit", "", GIB),
                ],
            ),
            instance(
                "cache",
                "cache-1",
                &[
                    ("container.memory.usage", "", 0.2 * GIB),
                    ("k8s.container.memory_limit", "", GIB),
                ],
            ),
            // JVM pools add up: 800 of 1000 MB is 80 %, not over.
            instance(
                "billing",
                "billing-0",
                &[
                    ("jvm.memory.used", "eden", 100.0),
                    ("jvm.memory.limit", "eden", 200.0),
                    ("jvm.memory.used", "old", 700.0),
                    ("jvm.memory.limit", "old", 800.0),
                ],
            ),
            // Usage with no limit says nothing about fullness.
            instance(
                "ledger",
                "ledger-0",
                &[("container.memory.usage", "", 50.0 * GIB)],
            ),
        ],
    };
    send(&app, "/v1/metrics", request.encode_to_vec()).await;
    let summary = evaluate_once(&app.db(), Utc::now()).await.unwrap();
    assert_eq!(summary.fired, 1, "{summary:?}");
    let alerts: Vec<Json> = app
        .get("/api/v1/alerts?state=firing")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(alerts[0]["service"], "cache");
    assert_eq!(alerts[0]["kind"], "memory");
    let value = alerts[0]["value"].as_f64().unwrap();
    assert!((value - 0.9).abs() < 1e-9, "{value}");

    // Billing's pools add up to 0.8: at the threshold, not above it.
    let db = app.db();
    let utilization = db
        .memory_utilization_from_limits(&server::alerts::MEMORY_USAGE_AND_LIMIT, (0, i64::MAX))
        .await
        .unwrap();
    let billing = utilization
        .iter()
        .find(|(service, ..)| service == "billing")
        .unwrap();
    assert!((billing.2 - 0.8).abs() < 1e-9, "{billing:?}");
    assert!(!utilization.iter().any(|(service, ..)| service == "ledger"));
}
