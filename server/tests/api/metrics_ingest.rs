//! OTLP metrics over real sockets (HTTP protobuf and JSON, gRPC) into a
//! real database, read back row by row: every metric type, whole.

use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_client::MetricsServiceClient;
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value};
use opentelemetry_proto::tonic::metrics::v1::exponential_histogram_data_point::Buckets;
use opentelemetry_proto::tonic::metrics::v1::summary_data_point::ValueAtQuantile;
use opentelemetry_proto::tonic::metrics::v1::{
    ExponentialHistogram, ExponentialHistogramDataPoint, Gauge, Histogram, HistogramDataPoint,
    Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum, Summary, SummaryDataPoint,
    metric::Data, number_data_point,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;
use serde_json::{Value as Json, json};
use sqlx::Row;

use crate::helpers::{TestApp, spawn_app};
use crate::ingest_http::{PROTOBUF, now_ns};

fn kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(Value::StringValue(value.into())),
        }),
        ..Default::default()
    }
}

fn number(
    time: u64,
    value: number_data_point::Value,
    attributes: Vec<KeyValue>,
) -> NumberDataPoint {
    NumberDataPoint {
        attributes,
        start_time_unix_nano: time - 60_000_000_000,
        time_unix_nano: time,
        value: Some(value),
        ..Default::default()
    }
}

fn metric(name: &str, unit: &str, data: Data) -> Metric {
    Metric {
        name: name.into(),
        unit: unit.into(),
        description: format!("{name} for the test"),
        data: Some(data),
        ..Default::default()
    }
}

/// One of each OTLP metric type, from service "checkout" on host "h1".
fn every_type(time: u64) -> ExportMetricsServiceRequest {
    let metrics = vec![
        metric(
            "process.memory.usage",
            "By",
            Data::Gauge(Gauge {
                data_points: vec![number(
                    time,
                    number_data_point::Value::AsInt(104_857_600),
                    vec![],
                )],
            }),
        ),
        metric(
            "http.server.requests",
            "{request}",
            Data::Sum(Sum {
                data_points: vec![
                    number(
                        time,
                        number_data_point::Value::AsDouble(41.0),
                        vec![kv("http.route", "/orders")],
                    ),
                    number(
                        time,
                        number_data_point::Value::AsDouble(7.0),
                        vec![kv("http.route", "/cart")],
                    ),
                ],
                aggregation_temporality: 2,
                is_monotonic: true,
            }),
        ),
        metric(
            "http.server.request.duration",
            "s",
            Data::Histogram(Histogram {
                data_points: vec![HistogramDataPoint {
                    start_time_unix_nano: time - 60_000_000_000,
                    time_unix_nano: time,
                    count: 10,
                    sum: Some(3.5),
                    bucket_counts: vec![2, 5, 3],
                    explicit_bounds: vec![0.1, 0.5],
                    min: Some(0.01),
                    max: Some(0.9),
                    ..Default::default()
                }],
                aggregation_temporality: 1,
            }),
        ),
        metric(
            "rpc.latency",
            "ms",
            Data::ExponentialHistogram(ExponentialHistogram {
                data_points: vec![ExponentialHistogramDataPoint {
                    time_unix_nano: time,
                    count: 6,
                    sum: Some(12.0),
                    scale: 3,
                    zero_count: 1,
                    positive: Some(Buckets {
                        offset: -2,
                        bucket_counts: vec![1, 2, 1],
                    }),
                    negative: Some(Buckets {
                        offset: 0,
                        bucket_counts: vec![1],
                    }),
                    ..Default::default()
                }],
                aggregation_temporality: 2,
            }),
        ),
        metric(
            "queue.wait",
            "s",
            Data::Summary(Summary {
                data_points: vec![SummaryDataPoint {
                    time_unix_nano: time,
                    count: 100,
                    sum: 42.0,
                    quantile_values: vec![
                        ValueAtQuantile {
                            quantile: 0.5,
                            value: 0.3,
                        },
                        ValueAtQuantile {
                            quantile: 0.99,
                            value: 1.9,
                        },
                    ],
                    ..Default::default()
                }],
            }),
        ),
    ];
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(Resource {
                attributes: vec![kv("service.name", "checkout"), kv("host.name", "h1")],
                ..Default::default()
            }),
            scope_metrics: vec![ScopeMetrics {
                metrics,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

async fn post(app: &TestApp, content_type: &str, body: Vec<u8>) -> reqwest::Response {
    app.anonymous
        .post(format!("http://{}/v1/metrics", app.otlp_http_address))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Every stream and point, as JSON rows, by metric name then route.
async fn stored(app: &TestApp) -> Vec<Json> {
    let mut db = app.database.as_ref().unwrap().connect().await;
    let rows = sqlx::query(
        "select to_jsonb(s) - 'id' - 'first_seen_ns' as stream, to_jsonb(p) - 'stream_id' as point \
         from metric_points p join metric_streams s on s.id = p.stream_id \
         order by s.name, s.attributes::text",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    rows.iter()
        .map(|row| json!({ "stream": row.get::<Json, _>("stream"), "point": row.get::<Json, _>("point") }))
        .collect()
}

#[tokio::test]
async fn every_metric_type_is_stored_whole_over_http() {
    let app = spawn_app().await;
    let time = now_ns();
    let response = post(&app, PROTOBUF, every_type(time).encode_to_vec()).await;
    assert_eq!(response.status(), 200);
    let answer = ExportMetricsServiceResponse::decode(response.bytes().await.unwrap()).unwrap();
    assert_eq!(answer.partial_success, None, "nothing rejected");

    let rows = stored(&app).await;
    assert_eq!(rows.len(), 6, "{rows:#?}");
    let find = |name: &str| {
        rows.iter()
            .find(|r| r["stream"]["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {rows:#?}"))
    };
    let gauge = find("process.memory.usage");
    assert_eq!(gauge["stream"]["kind"], 1);
    assert_eq!(gauge["stream"]["service"], "checkout");
    assert_eq!(gauge["stream"]["unit"], "By");
    assert_eq!(gauge["stream"]["resource"], json!({ "host.name": "h1" }));
    assert_eq!(gauge["point"]["value"], 104_857_600.0);
    assert_eq!(gauge["point"]["time_ns"], time as i64);

    // Two routes, two streams of one sum, cumulative and monotonic.
    let sums: Vec<_> = rows
        .iter()
        .filter(|r| r["stream"]["name"] == "http.server.requests")
        .collect();
    assert_eq!(sums.len(), 2);
    assert_eq!(
        sums[0]["stream"]["attributes"],
        json!({ "http.route": "/cart" })
    );
    assert_eq!(sums[0]["point"]["value"], 7.0);
    assert_eq!(sums[1]["point"]["value"], 41.0);
    assert_eq!(sums[1]["stream"]["temporality"], 2);
    assert_eq!(sums[1]["stream"]["monotonic"], true);
    assert_eq!(sums[1]["point"]["start_ns"], (time - 60_000_000_000) as i64);

    let histogram = &find("http.server.request.duration")["point"];
    assert_eq!(histogram["count"], 10);
    assert_eq!(histogram["sum"], 3.5);
    assert_eq!(histogram["bounds"], json!([0.1, 0.5]));
    assert_eq!(histogram["bucket_counts"], json!([2, 5, 3]));
    assert_eq!(
        (histogram["min"].clone(), histogram["max"].clone()),
        (json!(0.01), json!(0.9))
    );

    let exponential = &find("rpc.latency")["point"];
    assert_eq!(exponential["scale"], 3);
    assert_eq!(exponential["zero_count"], 1);
    assert_eq!(exponential["positive_offset"], -2);
    assert_eq!(exponential["bucket_counts"], json!([1, 2, 1]));
    assert_eq!(exponential["negative_counts"], json!([1]));

    let summary = &find("queue.wait")["point"];
    assert_eq!(summary["count"], 100);
    assert_eq!(summary["quantiles"], json!([0.5, 0.99]));
    assert_eq!(summary["quantile_values"], json!([0.3, 1.9]));

    // Sent again, the same streams get a second point each.
    let again = post(
        &app,
        PROTOBUF,
        every_type(time + 10_000_000_000).encode_to_vec(),
    )
    .await;
    assert_eq!(again.status(), 200);
    let mut db = app.database.as_ref().unwrap().connect().await;
    let (streams, points): (i64, i64) = sqlx::query_as(
        "select (select count(*) from metric_streams), (select count(*) from metric_points)",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!((streams, points), (6, 12));
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn metrics_arrive_over_grpc_and_as_otlp_json() {
    let app = spawn_app().await;
    let mut client = MetricsServiceClient::connect(format!("http://{}", app.otlp_grpc_address))
        .await
        .unwrap();
    let answer = client
        .export(every_type(now_ns()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.partial_success, None);

    // The specification's JSON: camelCase, 64-bit integers as strings.
    let time = now_ns().to_string();
    let body = json!({
        "resourceMetrics": [{
            "resource": { "attributes": [{ "key": "service.name", "value": { "stringValue": "cart" } }] },
            "scopeMetrics": [{ "metrics": [{
                "name": "system.memory.utilization", "unit": "1",
                "gauge": { "dataPoints": [{ "timeUnixNano": time, "asDouble": 0.83 }] }
            }] }]
        }]
    });
    let response = post(&app, "application/json", body.to_string().into_bytes()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Json>().await.unwrap(), json!({}));

    let rows = stored(&app).await;
    assert_eq!(rows.len(), 7, "six over gRPC, one as JSON");
    let json_row = rows
        .iter()
        .find(|r| r["stream"]["service"] == "cart")
        .unwrap();
    assert_eq!(json_row["point"]["value"], 0.83);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_points_are_refused_alone_and_bad_requests_whole() {
    let app = spawn_app().await;
    let time = now_ns();
    let mut request = every_type(time);
    let metrics = &mut request.resource_metrics[0].scope_metrics[0].metrics;
    // Four bucket counts for two bounds: this point is wrong, the rest fine.
    if let Some(Data::Histogram(h)) = &mut metrics[2].data {
        h.data_points[0].bucket_counts = vec![1, 2, 3, 4];
    }
    // A point with no time at all.
    if let Some(Data::Gauge(g)) = &mut metrics[0].data {
        g.data_points.push(NumberDataPoint {
            value: Some(number_data_point::Value::AsDouble(1.0)),
            ..Default::default()
        });
    }
    let response = post(&app, PROTOBUF, request.encode_to_vec()).await;
    assert_eq!(response.status(), 200);
    let answer = ExportMetricsServiceResponse::decode(response.bytes().await.unwrap()).unwrap();
    let partial = answer.partial_success.expect("a partial success");
    assert_eq!(partial.rejected_data_points, 2);
    assert!(
        partial.error_message.contains("2 data points rejected"),
        "{}",
        partial.error_message
    );
    assert_eq!(stored(&app).await.len(), 5, "the good points are stored");

    let garbage = post(&app, PROTOBUF, b"\xff\xff not protobuf".to_vec()).await;
    assert_eq!(garbage.status(), 400);
    let bad_json = post(
        &app,
        "application/json",
        b"{\"resourceMetrics\": 3}".to_vec(),
    )
    .await;
    assert_eq!(bad_json.status(), 400);
    let text = post(&app, "text/plain", b"x".to_vec()).await;
    assert_eq!(text.status(), 415);
    let mut client = MetricsServiceClient::connect(format!("http://{}", app.otlp_grpc_address))
        .await
        .unwrap();
    let empty_name = {
        let mut request = every_type(time);
        request.resource_metrics[0].scope_metrics[0].metrics[0]
            .name
            .clear();
        request
    };
    let answer = client.export(empty_name).await.unwrap().into_inner();
    assert_eq!(answer.partial_success.unwrap().rejected_data_points, 1);
    app.shutdown().await.unwrap();
}
