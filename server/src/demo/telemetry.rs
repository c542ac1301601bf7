//! What each simulated service sends, as an instrumented service would:
//! its resource (labelled `deployment.environment=demo`), its spans, and
//! gauges of its memory and CPU.

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use opentelemetry_proto::tonic::metrics::v1::{
    Gauge, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, metric::Data, number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

use super::scenario::Conditions;
use super::traces::text;
use crate::loadgen::fleet::Rng;

/// The environment every demo resource carries, so demo data is never
/// mistaken for real data.
pub const DEMO_ENVIRONMENT: &str = "demo";

/// Each service's memory limit, for the usage gauge.
const MEMORY_LIMIT_BYTES: f64 = 512.0 * 1024.0 * 1024.0;

fn resource(service: &str) -> Resource {
    Resource {
        attributes: vec![
            text("service.name", service),
            text("service.namespace", "shop"),
            text("service.version", "2.4.1"),
            text("service.instance.id", &format!("{service}-7d9f8-1")),
            text("deployment.environment", DEMO_ENVIRONMENT),
            text("deployment.environment.name", DEMO_ENVIRONMENT),
            text("host.name", &format!("{service}-7d9f8-1")),
            text("telemetry.sdk.name", "opentelemetry"),
            text("telemetry.sdk.language", "rust"),
        ],
        ..Default::default()
    }
}

fn scope() -> InstrumentationScope {
    InstrumentationScope {
        name: "watchpost-demo".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        ..Default::default()
    }
}

/// One export of `service`'s spans.
pub fn span_export(service: &str, spans: Vec<Span>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(resource(service)),
            scope_spans: vec![ScopeSpans {
                scope: Some(scope()),
                spans,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

/// One export of `service`'s gauges at `now_ns`.
pub fn metric_export(
    service: &str,
    conditions: &Conditions,
    rng: &mut Rng,
    now_ns: u64,
) -> ExportMetricsServiceRequest {
    let memory = if service == "notification-service" {
        conditions.notification_memory
    } else {
        // Steady, a little different per service, with a little noise.
        0.30 + (service.len() % 5) as f64 * 0.05 + rng.below(20) as f64 / 1000.0
    };
    let cpu = 0.05
        + rng.below(150) as f64 / 1000.0
        + if conditions.orders_slow && service == "order-service" {
            0.4
        } else {
            0.0
        };
    let gauge = |name: &str, unit: &str, value: f64| Metric {
        name: name.into(),
        unit: unit.into(),
        data: Some(Data::Gauge(Gauge {
            data_points: vec![NumberDataPoint {
                time_unix_nano: now_ns,
                value: Some(number_data_point::Value::AsDouble(value)),
                ..Default::default()
            }],
        })),
        ..Default::default()
    };
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(resource(service)),
            scope_metrics: vec![ScopeMetrics {
                scope: Some(scope()),
                metrics: vec![
                    gauge("process.memory.utilization", "1", memory),
                    gauge("process.memory.usage", "By", memory * MEMORY_LIMIT_BYTES),
                    gauge("process.cpu.utilization", "1", cpu),
                ],
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}
