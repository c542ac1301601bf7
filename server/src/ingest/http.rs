//! OTLP/HTTP: `POST /v1/traces` and `POST /v1/metrics`, protobuf or JSON,
//! optionally gzip. Served on the OTLP port and on the main port.

use std::sync::atomic::Ordering;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceResponse;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use prost::Message;
use serde_json::json;

use super::IngestError;
use super::decode::{self, Encoding};
use super::error::RETRY_AFTER_SECONDS;
use super::export::{ExportSummary, export_traces};
use super::metrics::export_metrics;
use crate::startup::ServerState;

pub async fn post_traces(
    State(state): State<ServerState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let answer_as = answer_encoding(&headers);
    match accept(&state, &headers, body).await {
        Ok(summary) => success(answer_as, &summary),
        Err(error) => failure(answer_as, &error),
    }
}

/// A request's body, read within the size limit, and how it is encoded.
struct Received {
    encoding: Encoding,
    gzip: bool,
    body: Bytes,
    max_decompressed: usize,
}

impl Received {
    /// The body as sent, inflated if it was gzip.
    fn inflated(&self) -> Result<std::borrow::Cow<'_, [u8]>, IngestError> {
        if self.gzip {
            Ok(decode::gunzip(&self.body, self.max_decompressed)?.into())
        } else {
            Ok(self.body.as_ref().into())
        }
    }
}

/// Checks the key, the content type and encoding, and reads the body.
async fn receive(
    state: &ServerState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Received, IngestError> {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    state
        .ingest_keys
        .authorize(headers.get(header::AUTHORIZATION))?;
    let encoding = Encoding::from_content_type(header(header::CONTENT_TYPE))?;
    let gzip = decode::is_gzip(header(header::CONTENT_ENCODING))?;
    let max_body = state.ingest.max_body;
    let body: Bytes = axum::body::to_bytes(body, max_body)
        .await
        .map_err(|_| IngestError::BodyTooLarge { limit: max_body })?;
    state
        .pipeline
        .stats
        .request_bytes
        .fetch_add(body.len() as u64, Ordering::Relaxed);
    Ok(Received {
        encoding,
        gzip,
        body,
        max_decompressed: state.ingest.max_decompressed,
    })
}

/// How to answer: as the request was encoded; an unsupported content type
/// is answered as protobuf, OTLP's default.
fn answer_encoding(headers: &HeaderMap) -> Encoding {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    Encoding::from_content_type(content_type).unwrap_or(Encoding::Protobuf)
}

async fn accept(
    state: &ServerState,
    headers: &HeaderMap,
    body: Body,
) -> Result<ExportSummary, IngestError> {
    let received = receive(state, headers, body).await?;
    // Inflating and parsing are CPU work: export_traces runs this closure
    // on the blocking pool, not on the async threads.
    export_traces(state, move || {
        decode::decode_request(&received.inflated()?, received.encoding)
    })
    .await
}

pub async fn post_metrics(
    State(state): State<ServerState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let answer_as = answer_encoding(&headers);
    let accepted = match receive(&state, &headers, body).await {
        Ok(received) => {
            export_metrics(&state, move || {
                decode::decode_metrics(&received.inflated()?, received.encoding)
            })
            .await
        }
        Err(error) => Err(error),
    };
    match accepted {
        Ok(summary) => {
            let partial = summary.partial_success();
            let body = match answer_as {
                Encoding::Protobuf => ExportMetricsServiceResponse {
                    partial_success: partial,
                }
                .encode_to_vec(),
                Encoding::Json => partial_json(
                    "rejectedDataPoints",
                    summary.rejected_points,
                    summary.message.as_deref(),
                ),
            };
            ([(header::CONTENT_TYPE, answer_as.content_type())], body).into_response()
        }
        Err(error) => failure(answer_as, &error),
    }
}

/// OTLP/JSON's answer: `{}`, or the partial success (int64 as a string).
fn partial_json(count_field: &str, rejected: u64, message: Option<&str>) -> Vec<u8> {
    let value = match message {
        Some(message) => json!({
            "partialSuccess": {
                count_field: rejected.to_string(),
                "errorMessage": message,
            }
        }),
        None => json!({}),
    };
    value.to_string().into_bytes()
}

fn success(encoding: Encoding, summary: &ExportSummary) -> Response {
    let body = match encoding {
        Encoding::Protobuf => ExportTraceServiceResponse {
            partial_success: summary.partial_success(),
        }
        .encode_to_vec(),
        Encoding::Json => partial_json(
            "rejectedSpans",
            summary.rejected_spans,
            summary.message.as_deref(),
        ),
    };
    ([(header::CONTENT_TYPE, encoding.content_type())], body).into_response()
}

/// `google.rpc.Status`, which OTLP/HTTP requires as the body of every error.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

fn failure(encoding: Encoding, error: &IngestError) -> Response {
    let status = RpcStatus {
        code: error.grpc_code() as i32,
        message: error.to_string(),
    };
    let body = match encoding {
        Encoding::Protobuf => status.encode_to_vec(),
        Encoding::Json => json!({ "code": status.code, "message": status.message })
            .to_string()
            .into_bytes(),
    };
    let mut response = (
        error.http_status(),
        [(header::CONTENT_TYPE, encoding.content_type())],
        body,
    )
        .into_response();
    if error.http_status() == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if error.is_retryable() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    }
    if error.http_status() == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %error, "otlp export failed");
    }
    response
}
