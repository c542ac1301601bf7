//! A stored trace as the query side reads it: every span with its resource
//! and scope, decoded. The API and the pages both render from this.

use serde::{Deserialize, Serialize};

use super::attributes::Attribute;
use super::span::{SpanEvent, SpanKind, SpanLink, StatusCode};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub trace_id: [u8; 16],
    /// Ordered by start time.
    pub spans: Vec<TraceSpan>,
    /// Referenced by [`TraceSpan::resource`].
    pub resources: Vec<TraceResource>,
    /// Referenced by [`TraceSpan::scope`].
    pub scopes: Vec<TraceScope>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceSpan {
    /// The 8 id bytes read as a big-endian number.
    pub span_id: u64,
    pub parent_span_id: Option<u64>,
    pub name: String,
    pub kind: SpanKind,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub status_code: StatusCode,
    pub status_message: String,
    pub trace_state: String,
    pub flags: u32,
    pub attributes: Vec<Attribute>,
    pub events: Vec<SpanEvent>,
    pub links: Vec<SpanLink>,
    pub dropped_attributes_count: u32,
    pub dropped_events_count: u32,
    pub dropped_links_count: u32,
    pub resource: usize,
    pub scope: usize,
}

/// The process that emitted spans: its service and resource attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceResource {
    pub id: i64,
    pub service: String,
    pub attributes: Vec<Attribute>,
}

/// The instrumentation library that made a span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceScope {
    pub id: i64,
    pub name: String,
    pub version: String,
    pub attributes: Vec<Attribute>,
}

impl Trace {
    pub fn service_of(&self, span: &TraceSpan) -> &str {
        &self.resources[span.resource].service
    }

    /// Earliest start and latest end over every span, in unix ns.
    pub fn bounds(&self) -> (i64, i64) {
        let start = self.spans.iter().map(|s| s.start_ns).min().unwrap_or(0);
        let end = self
            .spans
            .iter()
            .map(|s| s.start_ns.saturating_add(s.duration_ns))
            .max()
            .unwrap_or(start);
        (start, end)
    }
}

/// A trace as one line of a result list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceSummary {
    pub trace_id: String,
    pub root_service: String,
    pub root_operation: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub span_count: usize,
    pub error_count: usize,
    /// Services involved with their span counts, busiest first.
    pub services: Vec<(String, usize)>,
}

impl TraceSummary {
    /// The root is the earliest span without a parent in the trace; when
    /// the root has not arrived, the earliest span stands in for it.
    pub fn of(trace: &Trace) -> TraceSummary {
        let ids: std::collections::HashSet<u64> = trace.spans.iter().map(|s| s.span_id).collect();
        let root = trace
            .spans
            .iter()
            .filter(|s| s.parent_span_id.is_none_or(|p| !ids.contains(&p)))
            .min_by_key(|s| (s.parent_span_id.is_some(), s.start_ns))
            .or_else(|| trace.spans.first());
        let mut services: std::collections::BTreeMap<&str, usize> = Default::default();
        for span in &trace.spans {
            *services.entry(trace.service_of(span)).or_default() += 1;
        }
        let mut services: Vec<(String, usize)> = services
            .into_iter()
            .map(|(name, count)| (name.to_owned(), count))
            .collect();
        services.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let (start_ns, end_ns) = trace.bounds();
        TraceSummary {
            trace_id: hex(&trace.trace_id),
            root_service: root
                .map(|s| trace.service_of(s).to_owned())
                .unwrap_or_default(),
            root_operation: root.map(|s| s.name.clone()).unwrap_or_default(),
            start_ns,
            duration_ns: end_ns - start_ns,
            span_count: trace.spans.len(),
            error_count: trace
                .spans
                .iter()
                .filter(|s| s.status_code == StatusCode::Error)
                .count(),
            services,
        }
    }
}

/// Lower-case hex, as trace and span ids are written everywhere.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 0xf)] as char);
    }
    text
}

/// Reads a 32-digit trace id; `None` for anything else.
pub fn parse_trace_id_hex(text: &str) -> Option<[u8; 16]> {
    let text = text.trim();
    if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut id = [0u8; 16];
    for (index, pair) in text.as_bytes().chunks(2).enumerate() {
        let digits = std::str::from_utf8(pair).ok()?;
        id[index] = u8::from_str_radix(digits, 16).ok()?;
    }
    Some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_roundtrip_through_hex() {
        let id = [0xab; 16];
        assert_eq!(parse_trace_id_hex(&hex(&id)), Some(id));
        assert_eq!(hex(&[0x01, 0xf0]), "01f0");
        assert_eq!(parse_trace_id_hex("xyz"), None);
        assert_eq!(parse_trace_id_hex(&"g".repeat(32)), None);
    }
}
