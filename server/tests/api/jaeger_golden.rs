//! The Jaeger query API against known spans: the JSON compared field by
//! field with what Jaeger itself would answer.

use prost::Message;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::ingest_http::{PROTOBUF, full_request, now_ns, post, ready_app};

const TRACE_ID: &str = "0102030405060708090a0b0c0d0e0f10";

/// An app holding `full_request`'s two spans, and their start time.
async fn app_with_known_trace() -> (TestApp, u64) {
    let app = ready_app().await;
    // Whole microseconds, so every µs field below is exact.
    let start = now_ns() / 1_000 * 1_000 - 60_000_000_000;
    let body = full_request(start).encode_to_vec();
    let response = post(&app, true, PROTOBUF, false, body).await;
    assert_eq!(response.status(), 200);
    (app, start)
}

async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

fn expected_trace(start: u64) -> Value {
    let start_us = start / 1_000;
    json!({
        "traceID": TRACE_ID,
        "spans": [
            {
                "traceID": TRACE_ID,
                "spanID": "a1a1a1a1a1a1a1a1",
                "flags": 1,
                "operationName": "POST /orders",
                "references": [
                    {"refType": "CHILD_OF", "traceID": TRACE_ID, "spanID": "b2b2b2b2b2b2b2b2"},
                    {"refType": "FOLLOWS_FROM", "traceID": "09090909090909090909090909090909",
                     "spanID": "0808080808080808"}
                ],
                "startTime": start_us,
                "duration": 1234,
                "tags": [
                    {"key": "http.request.method", "type": "string", "value": "POST"},
                    {"key": "http.response.status_code", "type": "int64", "value": 500},
                    {"key": "retry", "type": "bool", "value": true},
                    {"key": "load", "type": "float64", "value": 0.75},
                    {"key": "payload", "type": "binary", "value": "AAH+"},
                    {"key": "tags", "type": "string", "value": "[\"a\",2]"},
                    {"key": "headers", "type": "string", "value": "{\"accept\":\"*/*\"}"},
                    {"key": "otel.scope.name", "type": "string",
                     "value": "opentelemetry.instrumentation.flask"},
                    {"key": "otel.scope.version", "type": "string", "value": "0.48b0"},
                    {"key": "span.kind", "type": "string", "value": "server"},
                    {"key": "otel.status_code", "type": "string", "value": "ERROR"},
                    {"key": "error", "type": "bool", "value": true},
                    {"key": "otel.status_description", "type": "string", "value": "payment failed"},
                    {"key": "w3c.tracestate", "type": "string", "value": "vendor=opaque"}
                ],
                "logs": [
                    {"timestamp": start_us + 1, "fields": [
                        {"key": "event", "type": "string", "value": "exception"},
                        {"key": "exception.message", "type": "string", "value": "card declined"}
                    ]}
                ],
                "processID": "p1"
            },
            {
                "traceID": TRACE_ID,
                "spanID": "c3c3c3c3c3c3c3c3",
                "operationName": "SELECT orders",
                "references": [
                    {"refType": "CHILD_OF", "traceID": TRACE_ID, "spanID": "a1a1a1a1a1a1a1a1"}
                ],
                "startTime": start_us,
                "duration": 0,
                "tags": [
                    {"key": "otel.scope.name", "type": "string",
                     "value": "opentelemetry.instrumentation.flask"},
                    {"key": "otel.scope.version", "type": "string", "value": "0.48b0"},
                    {"key": "span.kind", "type": "string", "value": "client"}
                ],
                "logs": [],
                "processID": "p1"
            }
        ],
        "processes": {
            "p1": {
                "serviceName": "checkout",
                "tags": [
                    {"key": "service.version", "type": "string", "value": "2.1.0"},
                    {"key": "deployment.environment.name", "type": "string", "value": "staging"},
                    {"key": "telemetry.sdk.name", "type": "string", "value": "opentelemetry"},
                    {"key": "telemetry.sdk.language", "type": "string", "value": "python"}
                ]
            }
        }
    })
}

/// Compares two JSON values, naming the first path where they differ.
fn assert_json_eq(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let mut keys: Vec<&String> = a.keys().chain(e.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let at = format!("{path}.{key}");
                match (a.get(key), e.get(key)) {
                    (Some(a), Some(e)) => assert_json_eq(a, e, &at),
                    (None, Some(e)) => panic!("{at} is missing; expected {e}"),
                    (Some(a), None) => panic!("{at} is unexpected: {a}"),
                    (None, None) => unreachable!(),
                }
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            for (index, (a, e)) in a.iter().zip(e).enumerate() {
                assert_json_eq(a, e, &format!("{path}[{index}]"));
            }
            assert_eq!(
                a.len(),
                e.len(),
                "{path} has {} items, expected {}",
                a.len(),
                e.len()
            );
        }
        _ => assert_eq!(actual, expected, "at {path}"),
    }
}

#[tokio::test]
async fn trace_by_id_matches_jaegers_json_field_by_field() {
    let (app, start) = app_with_known_trace().await;
    let (status, body) = get_json(&app, &format!("/api/traces/{TRACE_ID}")).await;
    assert_eq!(status, 200);
    let expected = json!({
        "data": [expected_trace(start)],
        "total": 1, "limit": 0, "offset": 0, "errors": null
    });
    assert_json_eq(&body, &expected, "$");
}

#[tokio::test]
async fn search_finds_the_trace_by_service_tags_and_duration() {
    let (app, start) = app_with_known_trace().await;
    let from = start / 1_000 - 1_000_000;
    let to = now_ns() / 1_000 + 1_000_000;
    let window = format!("start={from}&end={to}");
    let (status, body) = get_json(
        &app,
        &format!("/api/traces?service=checkout&{window}&minDuration=1ms&tags=%7B%22http.response.status_code%22%3A%22500%22%7D"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let expected = json!({
        "data": [expected_trace(start)],
        "total": 1, "limit": 0, "offset": 0, "errors": null
    });
    assert_json_eq(&body, &expected, "$");

    // Each filter that the trace fails empties the result.
    for miss in [
        "service=checkout&minDuration=2ms",
        // Both spans last longer than this (1.23 ms and 800 ns).
        "service=checkout&maxDuration=500ns",
        "service=checkout&operation=GET%20%2F",
        "service=checkout&tag=retry:false",
        "service=nobody",
    ] {
        let (status, body) = get_json(&app, &format!("/api/traces?{miss}&{window}")).await;
        assert_eq!(status, 200, "{miss}: {body}");
        assert_eq!(body["data"], json!([]), "{miss} should match nothing");
    }
    // Derived tags and event attributes match, as in Jaeger.
    for hit in [
        "tag=error:true",
        "tag=span.kind:server",
        "tag=exception.message:card%20declined",
        "tag=telemetry.sdk.language:python",
        "operation=POST%20%2Forders&limit=1",
    ] {
        let (_, body) = get_json(
            &app,
            &format!("/api/traces?service=checkout&{hit}&{window}"),
        )
        .await;
        assert_eq!(body["total"], 1, "{hit} should find the trace: {body}");
    }
    // Ids, when given, are the whole query.
    let (_, body) = get_json(&app, &format!("/api/traces?traceID={TRACE_ID}")).await;
    assert_eq!(body["data"][0]["traceID"], TRACE_ID);
}

#[tokio::test]
async fn services_and_operations_in_jaegers_envelope() {
    let (app, _) = app_with_known_trace().await;
    let (status, body) = get_json(&app, "/api/services").await;
    assert_eq!(status, 200);
    assert_json_eq(
        &body,
        &json!({"data": ["checkout"], "total": 1, "limit": 0, "offset": 0, "errors": null}),
        "$",
    );
    let (_, body) = get_json(&app, "/api/services/checkout/operations").await;
    assert_eq!(body["data"], json!(["POST /orders", "SELECT orders"]));
    let (_, body) = get_json(&app, "/api/operations?service=checkout&spanKind=server").await;
    assert_json_eq(
        &body,
        &json!({"data": [{"name": "POST /orders", "spanKind": "server"}],
                "total": 1, "limit": 0, "offset": 0, "errors": null}),
        "$",
    );
    let (_, body) = get_json(&app, "/api/operations?service=checkout").await;
    assert_eq!(body["total"], 2);
}

#[tokio::test]
async fn unknown_and_malformed_trace_ids() {
    let app = ready_app().await;
    let (status, body) = get_json(&app, "/api/traces/00000000000000000000000000000abc").await;
    assert_eq!(status, 404);
    assert_eq!(body["errors"][0]["code"], 404);
    assert_eq!(body["data"], Value::Null);
    let (status, body) = get_json(&app, "/api/traces/not-hex").await;
    assert_eq!(status, 400);
    assert!(
        body["errors"][0]["msg"]
            .as_str()
            .unwrap()
            .contains("traceID"),
        "{body}"
    );
}

/// A root client span in `frontend` that is the parent of `full_request`'s
/// server span: one call frontend → checkout, sent after the server span, as
/// happens when each service exports on its own.
fn frontend_parent(start: u64) -> Vec<u8> {
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
    use opentelemetry_proto::tonic::resource::v1::Resource;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

    let service = KeyValue {
        key: "service.name".into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue("frontend".into())),
        }),
        ..Default::default()
    };
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![service],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans: vec![Span {
                    trace_id: (1..=16).collect(),
                    span_id: vec![0xb2; 8],
                    name: "GET /checkout".into(),
                    kind: 3,
                    start_time_unix_nano: start - 1_000,
                    end_time_unix_nano: start + 2_000_000,
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
    .encode_to_vec()
}

#[tokio::test]
async fn dependencies_come_from_client_server_pairs_across_services() {
    let (app, start) = app_with_known_trace().await;
    let response = post(&app, true, PROTOBUF, false, frontend_parent(start)).await;
    assert_eq!(response.status(), 200);
    // Edges are written by the service-map job every few seconds.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let (status, body) = loop {
        let (status, body) = get_json(&app, "/api/dependencies?lookback=3600000").await;
        if body["total"] != 0 || std::time::Instant::now() > deadline {
            break (status, body);
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    assert_eq!(status, 200, "{body}");
    assert_json_eq(
        &body,
        &json!({"data": [{"parent": "frontend", "child": "checkout", "callCount": 1}],
                "total": 1, "limit": 0, "offset": 0, "errors": null}),
        "$",
    );
    // The whole trace now has two processes, numbered by resource.
    let (_, body) = get_json(&app, &format!("/api/traces/{TRACE_ID}")).await;
    let processes = body["data"][0]["processes"].as_object().unwrap();
    assert_eq!(processes.len(), 2);
}
