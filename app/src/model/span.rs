use serde::{Deserialize, Serialize};

/// OTLP `Span.SpanKind`, with the same numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SpanKind {
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

impl SpanKind {
    /// Unknown numbers (a newer spec) read as unspecified rather than failing.
    pub fn from_i32(value: i32) -> SpanKind {
        match value {
            1 => SpanKind::Internal,
            2 => SpanKind::Server,
            3 => SpanKind::Client,
            4 => SpanKind::Producer,
            5 => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }

    /// The lower-case name Jaeger and the OTel specs use; none when unset.
    pub fn otel_name(self) -> Option<&'static str> {
        match self {
            SpanKind::Unspecified => None,
            SpanKind::Internal => Some("internal"),
            SpanKind::Server => Some("server"),
            SpanKind::Client => Some("client"),
            SpanKind::Producer => Some("producer"),
            SpanKind::Consumer => Some("consumer"),
        }
    }
}

/// OTLP `Status.StatusCode`, with the same numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusCode {
    Unset = 0,
    Ok = 1,
    Error = 2,
}

impl StatusCode {
    pub fn from_i32(value: i32) -> StatusCode {
        match value {
            1 => StatusCode::Ok,
            2 => StatusCode::Error,
            _ => StatusCode::Unset,
        }
    }

    /// `OK` / `ERROR` as in the `otel.status_code` tag; none when unset.
    pub fn otel_name(self) -> Option<&'static str> {
        match self {
            StatusCode::Unset => None,
            StatusCode::Ok => Some("OK"),
            StatusCode::Error => Some("ERROR"),
        }
    }
}

/// Something that happened during a span (an exception, a retry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanEvent {
    pub time_ns: i64,
    pub name: String,
    pub attributes: Vec<crate::model::attributes::Attribute>,
    pub dropped_attributes_count: u32,
}

/// A reference to a span in this or another trace (e.g. a batch consumer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanLink {
    pub trace_id: Vec<u8>,
    pub span_id: Vec<u8>,
    pub trace_state: String,
    pub flags: u32,
    pub attributes: Vec<crate::model::attributes::Attribute>,
    pub dropped_attributes_count: u32,
}
