//! From decoded OTLP to rows: each span is validated on its own, so one bad
//! span is rejected (and reported in `partial_success`) while the rest of
//! its request is stored.

use std::time::Duration;

use app::model::attributes::{Attribute, AttributeValue, find_str};
use app::model::span::{SpanEvent, SpanKind, SpanLink, StatusCode};
use app::storage::codec::{self, MAX_DEPTH};
use app::storage::spans::{NewResource, NewScope, NewSpan, ServiceIdentity, SpanBatch};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::Span;

/// The service name OpenTelemetry prescribes when a resource has none.
pub const UNKNOWN_SERVICE: &str = "unknown_service";

/// Limits applied to every span, from the configuration.
#[derive(Debug, Clone)]
pub struct IngestLimits {
    /// Spans with more attributes are rejected.
    pub max_attributes_per_span: usize,
    /// Longer string and bytes values are cut to this many bytes and counted.
    pub max_attribute_value_length: usize,
    /// Spans that started longer ago than this are rejected: their partition
    /// would be dropped by retention anyway.
    pub retention: Duration,
    /// Spans that start further in the future are rejected (a broken clock).
    pub max_future: Duration,
}

/// The storable part of a request, and what was rejected or cut.
#[derive(Debug, Default)]
pub struct ConvertedRequest {
    pub batch: SpanBatch,
    pub rejected_spans: u64,
    /// The first rejection's reason, with how many more there were.
    pub error_message: Option<String>,
    pub truncated_values: u64,
}

impl ConvertedRequest {
    fn reject(&mut self, path: impl FnOnce() -> String, reason: String) {
        self.rejected_spans += 1;
        if self.error_message.is_none() {
            self.error_message = Some(format!("{}: {reason}", path()));
        }
    }

    /// The `partial_success.error_message` to send back, if any.
    pub fn partial_success_message(&self) -> Option<String> {
        let first = self.error_message.as_ref()?;
        match self.rejected_spans {
            0 | 1 => Some(format!("1 span rejected: {first}")),
            n => Some(format!("{n} spans rejected; the first: {first}")),
        }
    }
}

pub fn convert(
    request: ExportTraceServiceRequest,
    limits: &IngestLimits,
    now_ns: i64,
) -> ConvertedRequest {
    let mut out = ConvertedRequest::default();
    let oldest_ns = now_ns.saturating_sub(nanos(limits.retention));
    let newest_ns = now_ns.saturating_add(nanos(limits.max_future));
    for (r, resource_spans) in request.resource_spans.into_iter().enumerate() {
        let resource_index = out.batch.resources.len();
        let resource = convert_resource(
            resource_spans.resource,
            resource_spans.schema_url,
            limits,
            &mut out,
        );
        out.batch.resources.push(resource);
        for (s, scope_spans) in resource_spans.scope_spans.into_iter().enumerate() {
            let scope_index = out.batch.scopes.len();
            let scope = convert_scope(scope_spans.scope, scope_spans.schema_url, limits, &mut out);
            out.batch.scopes.push(scope);
            for (i, span) in scope_spans.spans.into_iter().enumerate() {
                let path = || format!("resourceSpans[{r}].scopeSpans[{s}].spans[{i}]");
                match convert_span(
                    span,
                    limits,
                    (oldest_ns, newest_ns),
                    &mut out.truncated_values,
                ) {
                    Ok(mut span) => {
                        span.resource = resource_index;
                        span.scope = scope_index;
                        out.batch.spans.push(span);
                    }
                    Err(reason) => out.reject(path, reason),
                }
            }
        }
    }
    out
}

fn nanos(duration: Duration) -> i64 {
    i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX)
}

fn convert_resource(
    resource: Option<Resource>,
    schema_url: String,
    limits: &IngestLimits,
    out: &mut ConvertedRequest,
) -> NewResource {
    let resource = resource.unwrap_or_default();
    let attributes = convert_attributes(resource.attributes, limits, &mut out.truncated_values);
    let service = service_identity(&attributes);
    let mut encoded = Vec::new();
    codec::encode_attributes(&attributes, &mut encoded);
    let id = content_id(&[
        &encoded,
        schema_url.as_bytes(),
        &resource.dropped_attributes_count.to_le_bytes(),
    ]);
    NewResource {
        id,
        service,
        attributes: encoded,
        dropped_attributes_count: resource.dropped_attributes_count,
        schema_url,
    }
}

fn convert_scope(
    scope: Option<InstrumentationScope>,
    schema_url: String,
    limits: &IngestLimits,
    out: &mut ConvertedRequest,
) -> NewScope {
    let scope = scope.unwrap_or_default();
    let attributes = convert_attributes(scope.attributes, limits, &mut out.truncated_values);
    let mut encoded = Vec::new();
    codec::encode_attributes(&attributes, &mut encoded);
    let id = content_id(&[
        scope.name.as_bytes(),
        scope.version.as_bytes(),
        &encoded,
        schema_url.as_bytes(),
        &scope.dropped_attributes_count.to_le_bytes(),
    ]);
    NewScope {
        id,
        name: scope.name,
        version: scope.version,
        attributes: encoded,
        dropped_attributes_count: scope.dropped_attributes_count,
        schema_url,
    }
}

/// The catalogue entry a resource describes, per the semantic conventions.
fn service_identity(attributes: &[Attribute]) -> ServiceIdentity {
    let get = |key: &str| {
        find_str(attributes, key)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    ServiceIdentity {
        name: get("service.name").unwrap_or_else(|| UNKNOWN_SERVICE.to_owned()),
        namespace: get("service.namespace"),
        version: get("service.version"),
        environment: get("deployment.environment.name").or_else(|| get("deployment.environment")),
        sdk_name: get("telemetry.sdk.name"),
        sdk_language: get("telemetry.sdk.language"),
        sdk_version: get("telemetry.sdk.version"),
    }
}

/// A stable 64-bit FNV-1a hash of some byte strings (length-prefixed, so
/// the boundaries count). Stable across builds, unlike std's hasher, so
/// every replica computes the same id.
pub(crate) fn content_id(parts: &[&[u8]]) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |byte: u8| {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    for part in parts {
        (part.len() as u64)
            .to_le_bytes()
            .into_iter()
            .for_each(&mut feed);
        part.iter().copied().for_each(&mut feed);
    }
    hash as i64
}

fn convert_span(
    span: Span,
    limits: &IngestLimits,
    (oldest_ns, newest_ns): (i64, i64),
    truncated: &mut u64,
) -> Result<NewSpan, String> {
    let trace_id: [u8; 16] = id_bytes(&span.trace_id, "trace id")?;
    let span_id: [u8; 8] = id_bytes(&span.span_id, "span id")?;
    let parent_span_id = match span.parent_span_id.len() {
        0 => None,
        _ if span.parent_span_id.iter().all(|b| *b == 0) => None,
        8 => Some(id_bytes(&span.parent_span_id, "parent span id")?),
        n => return Err(format!("parent span id must be 8 bytes or empty, got {n}")),
    };
    let start_ns = i64::try_from(span.start_time_unix_nano)
        .map_err(|_| "start time is out of range".to_owned())?;
    let end_ns = i64::try_from(span.end_time_unix_nano)
        .map_err(|_| "end time is out of range".to_owned())?;
    if start_ns == 0 {
        return Err("start time is missing".to_owned());
    }
    if end_ns < start_ns {
        return Err(format!("end time {end_ns} is before start time {start_ns}"));
    }
    if start_ns < oldest_ns {
        return Err("start time is older than the retention window".to_owned());
    }
    if start_ns > newest_ns {
        return Err("start time is too far in the future; check the sender's clock".to_owned());
    }
    if span.attributes.len() > limits.max_attributes_per_span {
        return Err(format!(
            "{} attributes, more than the limit of {}",
            span.attributes.len(),
            limits.max_attributes_per_span
        ));
    }
    let attributes = convert_attributes(span.attributes, limits, truncated);
    let status = span.status.unwrap_or_default();
    Ok(NewSpan {
        trace_id,
        span_id,
        parent_span_id,
        trace_state: span.trace_state,
        flags: span.flags,
        name: truncate_string(span.name, limits.max_attribute_value_length, truncated),
        kind: SpanKind::from_i32(span.kind),
        start_ns,
        duration_ns: end_ns - start_ns,
        status_code: StatusCode::from_i32(status.code),
        status_message: truncate_string(
            status.message,
            limits.max_attribute_value_length,
            truncated,
        ),
        attributes,
        events: encode_events(span.events, start_ns, limits, truncated),
        links: encode_links(span.links, limits, truncated),
        dropped_attributes_count: span.dropped_attributes_count,
        dropped_events_count: span.dropped_events_count,
        dropped_links_count: span.dropped_links_count,
        resource: 0,
        scope: 0,
    })
}

fn id_bytes<const N: usize>(bytes: &[u8], what: &str) -> Result<[u8; N], String> {
    let id: [u8; N] = bytes
        .try_into()
        .map_err(|_| format!("{what} must be {N} bytes, got {}", bytes.len()))?;
    if id.iter().all(|b| *b == 0) {
        return Err(format!("{what} is all zeros"));
    }
    Ok(id)
}

fn encode_events(
    events: Vec<opentelemetry_proto::tonic::trace::v1::span::Event>,
    start_ns: i64,
    limits: &IngestLimits,
    truncated: &mut u64,
) -> Option<Vec<u8>> {
    if events.is_empty() {
        return None;
    }
    let events: Vec<SpanEvent> = events
        .into_iter()
        .map(|event| SpanEvent {
            time_ns: i64::try_from(event.time_unix_nano).unwrap_or(i64::MAX),
            name: truncate_string(event.name, limits.max_attribute_value_length, truncated),
            attributes: convert_attributes(event.attributes, limits, truncated),
            dropped_attributes_count: event.dropped_attributes_count,
        })
        .collect();
    let mut out = Vec::new();
    codec::encode_events(&events, start_ns, &mut out);
    Some(out)
}

fn encode_links(
    links: Vec<opentelemetry_proto::tonic::trace::v1::span::Link>,
    limits: &IngestLimits,
    truncated: &mut u64,
) -> Option<Vec<u8>> {
    if links.is_empty() {
        return None;
    }
    let links: Vec<SpanLink> = links
        .into_iter()
        .map(|link| SpanLink {
            trace_id: link.trace_id,
            span_id: link.span_id,
            trace_state: link.trace_state,
            flags: link.flags,
            attributes: convert_attributes(link.attributes, limits, truncated),
            dropped_attributes_count: link.dropped_attributes_count,
        })
        .collect();
    let mut out = Vec::new();
    codec::encode_links(&links, &mut out);
    Some(out)
}

pub(crate) fn convert_attributes(
    attributes: Vec<KeyValue>,
    limits: &IngestLimits,
    truncated: &mut u64,
) -> Vec<Attribute> {
    attributes
        .into_iter()
        .map(|kv| Attribute {
            key: kv.key,
            value: convert_value(kv.value, limits, truncated, 0),
        })
        .collect()
}

fn convert_value(
    value: Option<AnyValue>,
    limits: &IngestLimits,
    truncated: &mut u64,
    depth: usize,
) -> AttributeValue {
    let Some(value) = value.and_then(|v| v.value) else {
        return AttributeValue::Empty;
    };
    if depth >= MAX_DEPTH {
        *truncated += 1;
        return AttributeValue::Empty;
    }
    let max = limits.max_attribute_value_length;
    match value {
        any_value::Value::StringValue(s) => {
            AttributeValue::String(truncate_string(s, max, truncated))
        }
        // Dictionary-encoded strings are a development feature of OTLP that
        // needs a dictionary the trace request does not carry yet.
        any_value::Value::StringValueStrindex(_) => AttributeValue::Empty,
        any_value::Value::BoolValue(b) => AttributeValue::Bool(b),
        any_value::Value::IntValue(i) => AttributeValue::Int(i),
        any_value::Value::DoubleValue(d) => AttributeValue::Double(d),
        any_value::Value::BytesValue(mut bytes) => {
            if bytes.len() > max {
                bytes.truncate(max);
                *truncated += 1;
            }
            AttributeValue::Bytes(bytes)
        }
        any_value::Value::ArrayValue(array) => AttributeValue::Array(
            array
                .values
                .into_iter()
                .map(|v| convert_value(Some(v), limits, truncated, depth + 1))
                .collect(),
        ),
        any_value::Value::KvlistValue(list) => AttributeValue::KvList(
            list.values
                .into_iter()
                .map(|kv| Attribute {
                    key: kv.key,
                    value: convert_value(kv.value, limits, truncated, depth + 1),
                })
                .collect(),
        ),
    }
}

/// Cuts `text` to at most `max` bytes on a character boundary.
fn truncate_string(mut text: String, max: usize, truncated: &mut u64) -> String {
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        *truncated += 1;
    }
    text
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
