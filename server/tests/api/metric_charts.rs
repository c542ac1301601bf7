//! The Metrics page over real OTLP metrics: a counter charted as a rate
//! per route, a histogram as percentiles, and the page itself.

use chrono::Utc;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Histogram, HistogramDataPoint, Metric, NumberDataPoint,
    ResourceMetrics, ScopeMetrics, Sum, metric::Data, number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;
use serde_json::Value as Json;

use crate::alerts::send;
use crate::helpers::spawn_app;
use crate::otlp_build::text;

fn minutes_ago(minutes: i64) -> u64 {
    let at = Utc::now() - chrono::Duration::minutes(minutes);
    u64::try_from(at.timestamp_nanos_opt().unwrap()).unwrap()
}

/// A cumulative request counter per route, and a latency histogram,
/// sampled 20, 10 and 0 minutes ago.
fn shop_metrics() -> ExportMetricsServiceRequest {
    let start = minutes_ago(30);
    let counter = |route: &str, values: [f64; 3]| -> Vec<NumberDataPoint> {
        values
            .into_iter()
            .zip([20, 10, 0])
            .map(|(value, ago)| NumberDataPoint {
                attributes: vec![text("http.route", route)],
                start_time_unix_nano: start,
                time_unix_nano: minutes_ago(ago),
                value: Some(number_data_point::Value::AsDouble(value)),
                ..Default::default()
            })
            .collect()
    };
    let histogram = [
        (20, [0, 0, 0, 0]),
        (10, [50, 0, 0, 0]),
        (0, [50, 0, 100, 0]),
    ]
    .into_iter()
    .map(|(ago, counts)| HistogramDataPoint {
        start_time_unix_nano: start,
        time_unix_nano: minutes_ago(ago),
        count: counts.iter().sum(),
        explicit_bounds: vec![0.1, 0.5, 1.0],
        bucket_counts: counts.to_vec(),
        ..Default::default()
    })
    .collect();
    let cumulative = AggregationTemporality::Cumulative as i32;
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(Resource {
                attributes: vec![text("service.name", "shop"), text("host.name", "shop-1")],
                ..Default::default()
            }),
            scope_metrics: vec![ScopeMetrics {
                metrics: vec![
                    Metric {
                        name: "http.server.requests".into(),
                        unit: "{request}".into(),
                        data: Some(Data::Sum(Sum {
                            data_points: [
                                counter("/cart", [0.0, 600.0, 1_200.0]),
                                counter("/pay", [0.0, 60.0, 120.0]),
                            ]
                            .concat(),
                            aggregation_temporality: cumulative,
                            is_monotonic: true,
                        })),
                        ..Default::default()
                    },
                    Metric {
                        name: "http.server.request.duration".into(),
                        unit: "s".into(),
                        data: Some(Data::Histogram(Histogram {
                            data_points: histogram,
                            aggregation_temporality: cumulative,
                        })),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

async fn chart(app: &crate::helpers::TestApp, name: &str, group_by: &str) -> Json {
    let response = app
        .client
        .post(app.url("/rpc/metric_chart"))
        .form(&[
            ("service", "shop"),
            ("name", name),
            ("group_by", group_by),
            ("window", "range=1h"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn non_empty(line: &Json) -> Vec<f64> {
    line["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Json::as_f64)
        .collect()
}

#[tokio::test]
async fn counters_chart_as_rates_per_route_and_histograms_as_percentiles() {
    let app = spawn_app().await;
    send(&app, "/v1/metrics", shop_metrics().encode_to_vec()).await;

    let catalog = app.db().service_metrics("shop").await.unwrap();
    let requests = catalog
        .iter()
        .find(|m| m.name == "http.server.requests")
        .unwrap();
    assert_eq!(requests.kind_text(), "counter");
    assert_eq!(requests.attribute_keys, ["host.name", "http.route"]);

    // 600 more requests every 10 minutes on /cart: 1 per second.
    let rates = chart(&app, "http.server.requests", "http.route").await;
    assert_eq!(rates["shows"], "rate per second");
    let lines = rates["lines"].as_array().unwrap();
    let names: Vec<&str> = lines.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["/cart", "/pay"]);
    let cart: f64 = non_empty(&lines[0]).iter().sum();
    let pay: f64 = non_empty(&lines[1]).iter().sum();
    // Two increases of 600 (60), each over one bucket of a 60-bucket hour.
    assert!((cart - 2.0 * 600.0 / 60.0).abs() < 1e-6, "{cart}");
    assert!((pay - 2.0 * 60.0 / 60.0).abs() < 1e-6, "{pay}");

    // The histogram's latest observations lie between 0.5 s and 1 s.
    let latency = chart(&app, "http.server.request.duration", "").await;
    assert_eq!(latency["shows"], "percentiles");
    let p95 = latency["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "p95")
        .unwrap();
    let latest = *non_empty(p95).last().unwrap();
    assert!((0.5..=1.0).contains(&latest), "{latest}");

    let page = app
        .get("/explore?service=shop&metric=http.server.requests&by=http.route&range=1h")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"metric-chart\""), "{page}");
    assert!(page.contains("/cart") && page.contains("rate per second"));
}
