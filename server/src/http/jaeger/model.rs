//! Jaeger's JSON model (`model/json` in Jaeger), and the mapping from our
//! traces to it the way Jaeger's own OTLP translator maps spans: span kind,
//! status and scope become tags, events become logs, the parent and links
//! become references.

use std::collections::BTreeMap;

use app::model::attributes::{Attribute, AttributeValue, base64};
use app::model::span::StatusCode;
use app::model::trace::{Trace, TraceSpan, hex};
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JaegerTrace {
    #[serde(rename = "traceID")]
    pub trace_id: String,
    pub spans: Vec<JaegerSpan>,
    pub processes: BTreeMap<String, JaegerProcess>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// As Jaeger writes spans: `references`, `tags` and `logs` are always
/// arrays (empty for none); `flags` and `warnings` are left out when empty.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JaegerSpan {
    #[serde(rename = "traceID")]
    pub trace_id: String,
    #[serde(rename = "spanID")]
    pub span_id: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub flags: u32,
    pub operation_name: String,
    pub references: Vec<JaegerReference>,
    /// Microseconds since the epoch.
    pub start_time: i64,
    /// Microseconds.
    pub duration: i64,
    pub tags: Vec<KeyValue>,
    pub logs: Vec<JaegerLog>,
    #[serde(rename = "processID")]
    pub process_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JaegerReference {
    pub ref_type: &'static str,
    #[serde(rename = "traceID")]
    pub trace_id: String,
    #[serde(rename = "spanID")]
    pub span_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JaegerProcess {
    pub service_name: String,
    pub tags: Vec<KeyValue>,
}

#[derive(Debug, Serialize)]
pub struct JaegerLog {
    pub timestamp: i64,
    pub fields: Vec<KeyValue>,
}

/// A typed tag: `string`, `bool`, `int64`, `float64` or `binary` (base64).
#[derive(Debug, Serialize)]
pub struct KeyValue {
    pub key: String,
    #[serde(rename = "type")]
    pub value_type: &'static str,
    pub value: serde_json::Value,
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

impl KeyValue {
    pub fn string(key: impl Into<String>, value: impl Into<String>) -> KeyValue {
        KeyValue {
            key: key.into(),
            value_type: "string",
            value: serde_json::Value::String(value.into()),
        }
    }

    fn from_attribute(attribute: &Attribute) -> KeyValue {
        let key = attribute.key.clone();
        let (value_type, value) = match &attribute.value {
            AttributeValue::Bool(b) => ("bool", serde_json::Value::Bool(*b)),
            AttributeValue::Int(i) => ("int64", serde_json::Value::from(*i)),
            // JSON has no NaN or infinity; Jaeger's marshaller writes those
            // as strings too.
            AttributeValue::Double(d) => match serde_json::Number::from_f64(*d) {
                Some(number) => ("float64", serde_json::Value::Number(number)),
                None => ("float64", serde_json::Value::String(d.to_string())),
            },
            AttributeValue::Bytes(b) => ("binary", serde_json::Value::String(base64(b))),
            other => ("string", serde_json::Value::String(other.to_text())),
        };
        KeyValue {
            key,
            value_type,
            value,
        }
    }
}

const NANOS_PER_MICRO: i64 = 1_000;

fn span_id_hex(id: u64) -> String {
    hex(&id.to_be_bytes())
}

/// The Jaeger form of one trace.
pub fn to_jaeger(trace: &Trace) -> JaegerTrace {
    let trace_id = hex(&trace.trace_id);
    // Processes are numbered by resource, as Jaeger's `p1`, `p2`, …
    let processes: BTreeMap<String, JaegerProcess> = trace
        .resources
        .iter()
        .enumerate()
        .map(|(index, resource)| {
            let tags = resource
                .attributes
                .iter()
                .filter(|a| a.key != "service.name")
                .map(KeyValue::from_attribute)
                .collect();
            (
                process_id(index),
                JaegerProcess {
                    service_name: resource.service.clone(),
                    tags,
                },
            )
        })
        .collect();
    let spans = trace
        .spans
        .iter()
        .map(|span| to_jaeger_span(trace, &trace_id, span))
        .collect();
    JaegerTrace {
        trace_id,
        spans,
        processes,
        warnings: Vec::new(),
    }
}

fn process_id(resource_index: usize) -> String {
    format!("p{}", resource_index + 1)
}

fn to_jaeger_span(trace: &Trace, trace_id: &str, span: &TraceSpan) -> JaegerSpan {
    let mut references = Vec::new();
    if let Some(parent) = span.parent_span_id {
        references.push(JaegerReference {
            ref_type: "CHILD_OF",
            trace_id: trace_id.to_owned(),
            span_id: span_id_hex(parent),
        });
    }
    for link in &span.links {
        references.push(JaegerReference {
            ref_type: "FOLLOWS_FROM",
            trace_id: hex(&link.trace_id),
            span_id: hex(&link.span_id),
        });
    }
    let logs = span
        .events
        .iter()
        .map(|event| {
            let mut fields = vec![KeyValue::string("event", event.name.clone())];
            fields.extend(event.attributes.iter().map(KeyValue::from_attribute));
            JaegerLog {
                timestamp: event.time_ns / NANOS_PER_MICRO,
                fields,
            }
        })
        .collect();
    JaegerSpan {
        trace_id: trace_id.to_owned(),
        span_id: span_id_hex(span.span_id),
        flags: span.flags & 0xff,
        operation_name: span.name.clone(),
        references,
        start_time: span.start_ns / NANOS_PER_MICRO,
        duration: span.duration_ns / NANOS_PER_MICRO,
        tags: span_tags(trace, span),
        logs,
        process_id: process_id(span.resource),
        warnings: Vec::new(),
    }
}

/// Span attributes, then the tags Jaeger derives from OTLP fields.
fn span_tags(trace: &Trace, span: &TraceSpan) -> Vec<KeyValue> {
    let mut tags: Vec<KeyValue> = span
        .attributes
        .iter()
        .map(KeyValue::from_attribute)
        .collect();
    let scope = &trace.scopes[span.scope];
    if !scope.name.is_empty() {
        tags.push(KeyValue::string("otel.scope.name", scope.name.clone()));
    }
    if !scope.version.is_empty() {
        tags.push(KeyValue::string(
            "otel.scope.version",
            scope.version.clone(),
        ));
    }
    if let Some(kind) = span.kind.otel_name() {
        tags.push(KeyValue::string("span.kind", kind));
    }
    if let Some(status) = span.status_code.otel_name() {
        tags.push(KeyValue::string("otel.status_code", status));
    }
    if span.status_code == StatusCode::Error {
        tags.push(KeyValue {
            key: "error".to_owned(),
            value_type: "bool",
            value: serde_json::Value::Bool(true),
        });
    }
    if !span.status_message.is_empty() {
        tags.push(KeyValue::string(
            "otel.status_description",
            span.status_message.clone(),
        ));
    }
    if !span.trace_state.is_empty() {
        tags.push(KeyValue::string("w3c.tracestate", span.trace_state.clone()));
    }
    tags
}
