//! Tests of `decode_trace_request`, grouped like the decoder: scalar conversions, attribute
//! values, the trace messages, and how errors are reported. The helpers below build requests
//! around the fragment under test and unwrap the result.

mod errors;
mod scalars;
mod spans;
mod values;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::AnyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;

use super::scalars::decode_hex;
use super::{MAX_ANY_VALUE_DEPTH, decode_trace_request};

fn decode(json: &str) -> ExportTraceServiceRequest {
    match decode_trace_request(json.as_bytes()) {
        Ok(request) => request,
        Err(e) => panic!("decode failed: {e}\ninput: {json}"),
    }
}

fn decode_error(json: &[u8]) -> String {
    match decode_trace_request(json) {
        Ok(request) => panic!("expected an error, decoded {request:?}"),
        Err(e) => e.to_string(),
    }
}

fn assert_error(json: &str, expected_parts: &[&str]) {
    let message = decode_error(json.as_bytes());
    for part in expected_parts {
        assert!(
            message.contains(part),
            "{message:?} does not contain {part:?}"
        );
    }
}

/// A request with one span made of `span_fields` (JSON object members, without braces).
fn request_with_span(span_fields: &str) -> String {
    format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{{span_fields}}}]}}]}}]}}"#)
}

fn only_span(request: &ExportTraceServiceRequest) -> &Span {
    assert_eq!(request.resource_spans.len(), 1);
    assert_eq!(request.resource_spans[0].scope_spans.len(), 1);
    assert_eq!(request.resource_spans[0].scope_spans[0].spans.len(), 1);
    &request.resource_spans[0].scope_spans[0].spans[0]
}

fn decode_span(span_fields: &str) -> Span {
    only_span(&decode(&request_with_span(span_fields))).clone()
}

/// Decodes `value_json` as the value of a span attribute.
fn decode_value(value_json: &str) -> Option<Value> {
    let span = decode_span(&format!(
        r#""attributes":[{{"key":"k","value":{value_json}}}]"#
    ));
    span.attributes[0].value.clone().and_then(|v| v.value)
}

/// Where an attribute value error is reported by `decode_value`-style requests.
const VALUE_PATH: &str = "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value";

fn value_error(value_json: &str) -> String {
    let json = request_with_span(&format!(
        r#""attributes":[{{"key":"k","value":{value_json}}}]"#
    ));
    decode_error(json.as_bytes())
}

/// The request that `value_error` decodes, for `assert_error`.
fn value_error_json(value_json: &str) -> String {
    request_with_span(&format!(
        r#""attributes":[{{"key":"k","value":{value_json}}}]"#
    ))
}

fn string_value(text: &str) -> Option<AnyValue> {
    Some(AnyValue {
        value: Some(Value::StringValue(text.to_owned())),
    })
}

fn hex(text: &str) -> Vec<u8> {
    decode_hex(text).expect("valid hex in test")
}
