//! OTLP/HTTP over real sockets into a real database, read back row by row.

use std::io::Write;
use std::time::Duration;

use app::model::attributes::{Attribute, AttributeValue};
use app::storage::codec::{self, Reader};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList, any_value::Value,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::{Event, Link};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use prost::Message;
use sqlx::Row;

use crate::helpers::{TestApp, spawn_app};

pub const PROTOBUF: &str = "application/x-protobuf";

pub fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

fn kv(key: &str, value: Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    }
}

fn string(s: &str) -> Value {
    Value::StringValue(s.into())
}

/// A request with every field OTLP has, so the round trip checks them all.
pub fn full_request(start: u64) -> ExportTraceServiceRequest {
    let server_span = Span {
        trace_id: (1..=16).collect(),
        span_id: vec![0xa1; 8],
        parent_span_id: vec![0xb2; 8],
        trace_state: "vendor=opaque".into(),
        flags: 0x101,
        name: "POST /orders".into(),
        kind: 2,
        start_time_unix_nano: start,
        end_time_unix_nano: start + 1_234_567,
        attributes: vec![
            kv("http.request.method", string("POST")),
            kv("http.response.status_code", Value::IntValue(500)),
            kv("retry", Value::BoolValue(true)),
            kv("load", Value::DoubleValue(0.75)),
            kv("payload", Value::BytesValue(vec![0, 1, 254])),
            kv(
                "tags",
                Value::ArrayValue(ArrayValue {
                    values: vec![
                        AnyValue {
                            value: Some(string("a")),
                        },
                        AnyValue {
                            value: Some(Value::IntValue(2)),
                        },
                    ],
                }),
            ),
            kv(
                "headers",
                Value::KvlistValue(KeyValueList {
                    values: vec![kv("accept", string("*/*"))],
                }),
            ),
        ],
        dropped_attributes_count: 3,
        events: vec![Event {
            time_unix_nano: start + 1000,
            name: "exception".into(),
            attributes: vec![kv("exception.message", string("card declined"))],
            dropped_attributes_count: 1,
        }],
        dropped_events_count: 4,
        links: vec![Link {
            trace_id: vec![9; 16],
            span_id: vec![8; 8],
            trace_state: "t=1".into(),
            attributes: vec![kv("link.kind", string("batch"))],
            dropped_attributes_count: 0,
            flags: 1,
        }],
        dropped_links_count: 5,
        status: Some(Status {
            message: "payment failed".into(),
            code: 2,
        }),
    };
    let client_span = Span {
        trace_id: (1..=16).collect(),
        span_id: vec![0xc3; 8],
        parent_span_id: vec![0xa1; 8],
        name: "SELECT orders".into(),
        kind: 3,
        start_time_unix_nano: start + 100,
        end_time_unix_nano: start + 900,
        ..Default::default()
    };
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![
                    kv("service.name", string("checkout")),
                    kv("service.version", string("2.1.0")),
                    kv("deployment.environment.name", string("staging")),
                    kv("telemetry.sdk.name", string("opentelemetry")),
                    kv("telemetry.sdk.language", string("python")),
                ],
                dropped_attributes_count: 2,
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: "opentelemetry.instrumentation.flask".into(),
                    version: "0.48b0".into(),
                    attributes: vec![kv("scope.attr", string("x"))],
                    dropped_attributes_count: 0,
                }),
                spans: vec![server_span, client_span],
                schema_url: "https://opentelemetry.io/schemas/1.26.0".into(),
            }],
            schema_url: "https://opentelemetry.io/schemas/1.26.0".into(),
        }],
    }
}

pub async fn post(
    app: &TestApp,
    on_otlp_port: bool,
    content_type: &str,
    gzip: bool,
    body: Vec<u8>,
) -> reqwest::Response {
    let address = if on_otlp_port {
        app.otlp_http_address
    } else {
        app.address
    };
    let mut request = app
        .client
        .post(format!("http://{address}/v1/traces"))
        .header("content-type", content_type);
    let body = if gzip {
        request = request.header("content-encoding", "gzip");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&body).unwrap();
        encoder.finish().unwrap()
    } else {
        body
    };
    request.body(body).send().await.unwrap()
}

/// Decodes stored span attributes, resolving interned keys the way the read
/// path will.
pub async fn span_attributes(app: &TestApp, bytes: &[u8]) -> Vec<Attribute> {
    let db = app::storage::Database::connect_lazy(&app::storage::DatabaseSettings {
        url: app.database.as_ref().unwrap().url.clone(),
        max_connections: 1,
        acquire_timeout: Duration::from_secs(5),
    })
    .unwrap();
    let keys = db.attribute_key_names().await.unwrap();
    db.close().await;
    codec::decode_attributes_with(bytes, &|id| keys.get(&id).cloned()).unwrap()
}

pub async fn ready_app() -> TestApp {
    let app = spawn_app().await;
    app.wait_until_ready(Duration::from_secs(20)).await;
    app
}

#[tokio::test]
async fn protobuf_round_trip_keeps_every_field() {
    let app = ready_app().await;
    let start = now_ns() - 5_000_000_000;
    for gzip in [false, true] {
        let mut request = full_request(start);
        if gzip {
            // A second batch of the same spans under another trace id.
            for span in &mut request.resource_spans[0].scope_spans[0].spans {
                span.trace_id[0] = 0xee;
            }
        }
        let response = post(&app, true, PROTOBUF, gzip, request.encode_to_vec()).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], PROTOBUF);
        let body = ExportTraceServiceResponse::decode(response.bytes().await.unwrap()).unwrap();
        assert_eq!(body.partial_success, None);
    }

    let mut db = app.database.as_ref().unwrap().connect().await;
    let row = sqlx::query(
        "select s.*, o.name as operation, o.kind, sv.name as service, sv.version as service_version,
                sv.environment, sv.sdk_language, r.attributes as resource_attributes,
                r.dropped_attributes_count as resource_dropped, r.schema_url as resource_schema,
                sc.name as scope_name, sc.version as scope_version, sc.attributes as scope_attributes
         from spans s
         join operations o on o.id = s.operation_id
         join services sv on sv.id = o.service_id
         join resources r on r.id = s.resource_id
         join scopes sc on sc.id = s.scope_id
         where s.span_id = $1 and s.trace_id = $2",
    )
    .bind(i64::from_be_bytes([0xa1; 8]))
    .bind((1..=16).collect::<Vec<u8>>())
    .fetch_one(&mut db)
    .await
    .unwrap();

    let sent = &full_request(start).resource_spans[0].scope_spans[0].spans[0];
    assert_eq!(
        row.get::<i64, _>("start_ns") as u64,
        sent.start_time_unix_nano
    );
    assert_eq!(row.get::<i64, _>("duration_ns"), 1_234_567);
    assert_eq!(
        row.get::<Option<i64>, _>("parent_span_id"),
        Some(i64::from_be_bytes([0xb2; 8]))
    );
    assert_eq!(row.get::<i32, _>("flags"), 0x101);
    assert_eq!(row.get::<i16, _>("status_code"), 2);
    assert_eq!(
        row.get::<Option<String>, _>("status_message").as_deref(),
        Some("payment failed")
    );
    assert_eq!(
        row.get::<Option<String>, _>("trace_state").as_deref(),
        Some("vendor=opaque")
    );
    assert_eq!(row.get::<String, _>("operation"), "POST /orders");
    assert_eq!(row.get::<i16, _>("kind"), 2);
    assert_eq!(row.get::<String, _>("service"), "checkout");
    assert_eq!(
        row.get::<Option<String>, _>("service_version").as_deref(),
        Some("2.1.0")
    );
    assert_eq!(
        row.get::<Option<String>, _>("environment").as_deref(),
        Some("staging")
    );
    assert_eq!(
        row.get::<Option<String>, _>("sdk_language").as_deref(),
        Some("python")
    );
    assert_eq!(
        row.get::<Option<i32>, _>("dropped_attributes_count"),
        Some(3)
    );
    assert_eq!(row.get::<Option<i32>, _>("dropped_events_count"), Some(4));
    assert_eq!(row.get::<Option<i32>, _>("dropped_links_count"), Some(5));
    assert_eq!(row.get::<i32, _>("resource_dropped"), 2);
    assert_eq!(
        row.get::<String, _>("resource_schema"),
        "https://opentelemetry.io/schemas/1.26.0"
    );
    assert_eq!(
        row.get::<String, _>("scope_name"),
        "opentelemetry.instrumentation.flask"
    );
    assert_eq!(row.get::<String, _>("scope_version"), "0.48b0");

    let attributes = span_attributes(&app, row.get("attributes")).await;
    assert_eq!(attributes.len(), 7);
    assert_eq!(
        attributes[1],
        Attribute::new("http.response.status_code", AttributeValue::Int(500))
    );
    assert_eq!(
        attributes[4],
        Attribute::new("payload", AttributeValue::Bytes(vec![0, 1, 254]))
    );
    assert_eq!(
        attributes[5].value,
        AttributeValue::Array(vec![
            AttributeValue::String("a".into()),
            AttributeValue::Int(2)
        ])
    );
    assert_eq!(
        attributes[6].value,
        AttributeValue::KvList(vec![Attribute::new(
            "accept",
            AttributeValue::String("*/*".into())
        )])
    );
    let resource = codec::decode_attributes(row.get("resource_attributes")).unwrap();
    assert_eq!(
        resource[0],
        Attribute::new("service.name", AttributeValue::String("checkout".into()))
    );
    let scope = codec::decode_attributes(row.get("scope_attributes")).unwrap();
    assert_eq!(
        scope,
        vec![Attribute::new(
            "scope.attr",
            AttributeValue::String("x".into())
        )]
    );

    let events = Reader::new(row.get::<Option<&[u8]>, _>("events").unwrap())
        .events(start as i64)
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].time_ns as u64, start + 1000);
    assert_eq!(events[0].name, "exception");
    assert_eq!(events[0].dropped_attributes_count, 1);
    let links = Reader::new(row.get::<Option<&[u8]>, _>("links").unwrap())
        .links()
        .unwrap();
    assert_eq!(links[0].trace_id, vec![9; 16]);
    assert_eq!(links[0].span_id, vec![8; 8]);
    assert_eq!(links[0].trace_state, "t=1");
    assert_eq!(links[0].flags, 1);

    // Both requests share one resource and one scope row; four spans in all.
    let counts: (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from spans), (select count(*) from resources), (select count(*) from scopes)",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(counts, (4, 1, 1));
    app.shutdown().await.unwrap();
}

/// The OTLP specification's own JSON example shape: hex ids, string int64s.
pub fn json_request(start: u64) -> String {
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"my.service"}}}}]}},
        "scopeSpans":[{{"scope":{{"name":"my.library","version":"1.0.0"}},
        "spans":[{{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
        "parentSpanId":"EEE19B7EC3C1B173","name":"I'm a server span","kind":2,
        "startTimeUnixNano":"{start}","endTimeUnixNano":{end},
        "attributes":[{{"key":"my.span.attr","value":{{"stringValue":"some value"}}}},
                      {{"key":"count","value":{{"intValue":"-42"}}}},
                      {{"key":"nested","value":{{"kvlistValue":{{"values":[{{"key":"list","value":{{"arrayValue":{{"values":[{{"intValue":1}},{{"boolValue":true}}]}}}}}}]}}}}}}],
        "unknownField":{{"ignored":true}}}}]}}]}}]}}"#,
        end = start + 1000
    )
}

#[tokio::test]
async fn json_with_gzip_on_the_main_port_is_stored() {
    let app = ready_app().await;
    let start = now_ns() - 1_000_000_000;
    let response = post(
        &app,
        false,
        "application/json",
        true,
        json_request(start).into_bytes(),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.text().await.unwrap(), "{}");

    let mut db = app.database.as_ref().unwrap().connect().await;
    let (trace_id, span_id, parent, attributes): (Vec<u8>, i64, Option<i64>, Vec<u8>) =
        sqlx::query_as("select trace_id, span_id, parent_span_id, attributes from spans")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(hex(&trace_id), "5b8efff798038103d269b633813fc60c");
    assert_eq!(
        span_id,
        i64::from_be_bytes([0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74])
    );
    assert_eq!(
        parent,
        Some(i64::from_be_bytes([
            0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x73
        ]))
    );
    let attributes = span_attributes(&app, &attributes).await;
    assert_eq!(
        attributes[1],
        Attribute::new("count", AttributeValue::Int(-42))
    );
    assert_eq!(
        attributes[2].value,
        AttributeValue::KvList(vec![Attribute::new(
            "list",
            AttributeValue::Array(vec![AttributeValue::Int(1), AttributeValue::Bool(true)])
        )])
    );
    app.shutdown().await.unwrap();
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
