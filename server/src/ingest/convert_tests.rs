use std::time::Duration;

use app::model::attributes::{Attribute, AttributeValue};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

use super::*;

const NOW: i64 = 1_795_392_000_000_000_000;

fn limits() -> IngestLimits {
    IngestLimits {
        max_attributes_per_span: 4,
        max_attribute_value_length: 8,
        retention: Duration::from_secs(7 * 86_400),
        max_future: Duration::from_secs(86_400),
    }
}

fn string_kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value.into())),
        }),
        ..Default::default()
    }
}

fn good_span(n: u8) -> Span {
    Span {
        trace_id: vec![1; 16],
        span_id: vec![n; 8],
        name: "GET /orders".into(),
        kind: 2,
        start_time_unix_nano: (NOW - 1_000_000) as u64,
        end_time_unix_nano: NOW as u64,
        ..Default::default()
    }
}

fn request(resource: Vec<KeyValue>, spans: Vec<Span>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: resource,
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

#[test]
fn bad_spans_are_rejected_one_by_one() {
    let mut zero_trace = good_span(2);
    zero_trace.trace_id = vec![0; 16];
    let mut short_span_id = good_span(3);
    short_span_id.span_id = vec![3; 7];
    let mut backwards = good_span(4);
    backwards.end_time_unix_nano = backwards.start_time_unix_nano - 1;
    let mut ancient = good_span(5);
    ancient.start_time_unix_nano = (NOW - 8 * 86_400 * 1_000_000_000) as u64;
    let mut crowded = good_span(6);
    crowded.attributes = (0..5).map(|i| string_kv(&format!("k{i}"), "v")).collect();

    let spans = vec![
        good_span(1),
        zero_trace,
        short_span_id,
        backwards,
        ancient,
        crowded,
        good_span(7),
    ];
    let converted = convert(request(vec![], spans), &limits(), NOW);

    assert_eq!(converted.batch.spans.len(), 2);
    assert_eq!(converted.rejected_spans, 5);
    let message = converted.partial_success_message().unwrap();
    assert_eq!(
        message,
        "5 spans rejected; the first: resourceSpans[0].scopeSpans[0].spans[1]: trace id is all zeros"
    );
}

#[test]
fn service_identity_comes_from_the_resource() {
    let resource = vec![
        string_kv("service.name", "orders"),
        string_kv("service.version", "1.4.2"),
        string_kv("deployment.environment.name", "prod"),
        string_kv("telemetry.sdk.language", "rust"),
    ];
    let converted = convert(request(resource, vec![good_span(1)]), &limits(), NOW);
    let service = &converted.batch.resources[0].service;
    assert_eq!(service.name, "orders");
    assert_eq!(service.version.as_deref(), Some("1.4.2"));
    assert_eq!(service.environment.as_deref(), Some("prod"));
    assert_eq!(service.sdk_language.as_deref(), Some("rust"));

    let anonymous = convert(request(vec![], vec![good_span(1)]), &limits(), NOW);
    assert_eq!(anonymous.batch.resources[0].service.name, UNKNOWN_SERVICE);
}

#[test]
fn equal_resources_get_equal_ids() {
    let a = convert(
        request(vec![string_kv("service.name", "a")], vec![good_span(1)]),
        &limits(),
        NOW,
    );
    let b = convert(
        request(vec![string_kv("service.name", "a")], vec![good_span(2)]),
        &limits(),
        NOW,
    );
    let c = convert(
        request(vec![string_kv("service.name", "c")], vec![good_span(1)]),
        &limits(),
        NOW,
    );
    assert_eq!(a.batch.resources[0].id, b.batch.resources[0].id);
    assert_ne!(a.batch.resources[0].id, c.batch.resources[0].id);
}

#[test]
fn long_values_are_cut_on_a_character_boundary_and_counted() {
    let mut span = good_span(1);
    span.name = "checkout".into(); // exactly the limit: kept whole
    span.attributes = vec![string_kv("note", "ééééé"), string_kv("short", "ok")];
    let converted = convert(request(vec![], vec![span]), &limits(), NOW);
    assert_eq!(converted.truncated_values, 1);
    assert_eq!(converted.rejected_spans, 0);
    assert_eq!(
        converted.batch.spans[0].attributes,
        vec![
            Attribute::new("note", AttributeValue::String("éééé".into())),
            Attribute::new("short", AttributeValue::String("ok".into())),
        ]
    );
}

#[test]
fn an_all_zero_parent_means_a_root_span() {
    let mut span = good_span(1);
    span.parent_span_id = vec![0; 8];
    let converted = convert(request(vec![], vec![span]), &limits(), NOW);
    assert_eq!(converted.batch.spans[0].parent_span_id, None);
    assert_eq!(converted.batch.spans[0].duration_ns, 1_000_000);
}
