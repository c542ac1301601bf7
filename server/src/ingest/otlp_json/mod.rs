//! OTLP/JSON decoding of trace export requests (`POST /v1/traces` with
//! `Content-Type: application/json`).
//!
//! Implements the JSON mapping of the OTLP 1.x specification
//! (<https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding>): the proto3 JSON
//! mapping, except that trace and span ids are hex strings instead of base64.
//!
//! The body is deserialized straight into the prost message types through serde visitors,
//! without building a `serde_json::Value` tree. Every decoder knows the JSON path it is
//! decoding (`resourceSpans[0].scopeSpans[1].spans[3].traceId`), so an error can say where in
//! the request the problem is.
//!
//! The submodules, from the bottom up:
//! - `context`: the JSON path and nesting depth that every decoder carries.
//! - `shape`: the serde adapter that hands each JSON value to the type it decodes into.
//! - `message`: decoding a JSON object into a protobuf message, one field at a time.
//! - `spans`, `values`: the field tables of the trace messages and of attribute values.
//! - `scalars`: conversions of single JSON values (strings, integers, enums, hex, base64).

mod context;
mod message;
mod scalars;
mod shape;
mod spans;
mod values;

#[cfg(test)]
mod tests;

use std::cell::OnceCell;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use serde::de::DeserializeSeed;
use serde_json::error::Category;

use self::context::Cx;
use self::message::MessageShape;
use self::shape::Decode;

/// How deeply `arrayValue`/`kvlistValue` attribute values may nest. A kvlist level costs four
/// JSON nesting levels and serde_json refuses input nested deeper than 128 levels, so this
/// limit keeps our clearer error ahead of serde_json's generic "recursion limit exceeded".
pub const MAX_ANY_VALUE_DEPTH: usize = 24;

/// Why a request body could not be decoded. The Display text is meant for a 400 response.
#[derive(Debug, thiserror::Error)]
pub enum OtlpJsonError {
    #[error("request body is empty")]
    EmptyBody,
    /// The body is not well-formed JSON (including invalid UTF-8 and trailing garbage).
    #[error("invalid JSON at line {line} column {column}: {message}")]
    Syntax {
        message: String,
        line: usize,
        column: usize,
    },
    /// Well-formed JSON that does not fit the OTLP message; `path` is empty for the top level.
    #[error("invalid OTLP/JSON{}: {message}", at_path(.path))]
    Invalid { path: String, message: String },
}

fn at_path(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" at {path}")
    }
}

/// Decodes an OTLP/JSON `ExportTraceServiceRequest`.
///
/// Ids are hex-decoded but their lengths are not checked: rejecting spans with malformed ids
/// is left to validation, which can report them as a partial success.
pub fn decode_trace_request(body: &[u8]) -> Result<ExportTraceServiceRequest, OtlpJsonError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(OtlpJsonError::EmptyBody);
    }
    let failure = OnceCell::new();
    let root = Cx::root(&failure);
    let mut json = serde_json::Deserializer::from_slice(body);
    let decoded = Decode(MessageShape::<ExportTraceServiceRequest>::new(root))
        .deserialize(&mut json)
        .and_then(|request| json.end().map(|()| request));
    match decoded {
        Ok(Some(request)) => Ok(request),
        Ok(None) => Err(OtlpJsonError::Invalid {
            path: String::new(),
            message: "expected a JSON object, got null".to_owned(),
        }),
        Err(error) => Err(to_otlp_error(
            &error,
            failure.into_inner().unwrap_or_default(),
        )),
    }
}

fn to_otlp_error(error: &serde_json::Error, path: String) -> OtlpJsonError {
    // serde_json appends the position to its messages; we report it separately or not at all.
    let full = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = full.strip_suffix(&position).unwrap_or(&full).to_owned();
    match error.classify() {
        Category::Data => OtlpJsonError::Invalid { path, message },
        Category::Syntax | Category::Eof | Category::Io => OtlpJsonError::Syntax {
            message,
            line: error.line(),
            column: error.column(),
        },
    }
}
