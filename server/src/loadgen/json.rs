//! OTLP/JSON encoding of a trace request, for sending the JSON protocol:
//! lowerCamelCase names, hex ids, 64-bit integers as strings.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value as Any};
use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::{Value, json};

pub fn encode(request: &ExportTraceServiceRequest) -> Vec<u8> {
    let resource_spans: Vec<Value> = request
        .resource_spans
        .iter()
        .map(|rs| {
            let resource = rs.resource.as_ref().map(|r| json!({ "attributes": attributes(&r.attributes) }));
            let scope_spans: Vec<Value> = rs
                .scope_spans
                .iter()
                .map(|ss| {
                    let scope = ss.scope.as_ref().map(|s| json!({ "name": s.name, "version": s.version }));
                    json!({ "scope": scope, "spans": ss.spans.iter().map(span).collect::<Vec<_>>() })
                })
                .collect();
            json!({ "resource": resource, "scopeSpans": scope_spans })
        })
        .collect();
    json!({ "resourceSpans": resource_spans })
        .to_string()
        .into_bytes()
}

fn span(span: &Span) -> Value {
    let events: Vec<Value> = span
        .events
        .iter()
        .map(|e| {
            json!({
                "timeUnixNano": e.time_unix_nano.to_string(),
                "name": e.name,
                "attributes": attributes(&e.attributes),
            })
        })
        .collect();
    let status = span
        .status
        .as_ref()
        .map(|s| json!({ "code": s.code, "message": s.message }));
    json!({
        "traceId": hex(&span.trace_id),
        "spanId": hex(&span.span_id),
        "parentSpanId": hex(&span.parent_span_id),
        "name": span.name,
        "kind": span.kind,
        "startTimeUnixNano": span.start_time_unix_nano.to_string(),
        "endTimeUnixNano": span.end_time_unix_nano.to_string(),
        "attributes": attributes(&span.attributes),
        "events": events,
        "status": status,
    })
}

fn attributes(attributes: &[KeyValue]) -> Vec<Value> {
    attributes
        .iter()
        .map(|kv| json!({ "key": kv.key, "value": any(kv.value.as_ref()) }))
        .collect()
}

fn any(value: Option<&AnyValue>) -> Value {
    match value.and_then(|v| v.value.as_ref()) {
        None => json!({}),
        Some(Any::StringValue(s)) => json!({ "stringValue": s }),
        Some(Any::BoolValue(b)) => json!({ "boolValue": b }),
        Some(Any::IntValue(i)) => json!({ "intValue": i.to_string() }),
        Some(Any::DoubleValue(d)) => json!({ "doubleValue": d }),
        Some(Any::BytesValue(_)) | Some(Any::StringValueStrindex(_)) => json!({}),
        Some(Any::ArrayValue(array)) => {
            json!({ "arrayValue": { "values": array.values.iter().map(|v| any(Some(v))).collect::<Vec<_>>() } })
        }
        Some(Any::KvlistValue(list)) => {
            json!({ "kvlistValue": { "values": attributes(&list.values) } })
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::otlp_json::decode_trace_request;
    use crate::loadgen::fleet::Fleet;

    #[test]
    fn what_it_encodes_our_decoder_reads_back_equal() {
        let request = Fleet::new(3).request(50, 1_800_000_000_000_000_000);
        let decoded = decode_trace_request(&encode(&request)).unwrap();
        assert_eq!(decoded, request);
    }
}
