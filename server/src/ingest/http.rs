//! OTLP/HTTP: `POST /v1/traces`, protobuf or JSON, optionally gzip.
//! Served on the OTLP port and on the main port.

use std::sync::atomic::Ordering;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use prost::Message;
use serde_json::json;

use super::IngestError;
use super::decode::{self, Encoding};
use super::error::RETRY_AFTER_SECONDS;
use super::export::{ExportSummary, export_traces};
use crate::startup::ServerState;

pub async fn post_traces(
    State(state): State<ServerState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    // An unsupported content type is answered as protobuf, OTLP's default.
    let encoding = Encoding::from_content_type(header(header::CONTENT_TYPE));
    let answer_as = *encoding.as_ref().unwrap_or(&Encoding::Protobuf);
    let authorized = state
        .ingest_keys
        .authorize(headers.get(header::AUTHORIZATION));
    let accepted = match authorized {
        Ok(()) => accept(&state, encoding, header(header::CONTENT_ENCODING), body).await,
        Err(error) => Err(error),
    };
    match accepted {
        Ok(summary) => success(answer_as, &summary),
        Err(error) => failure(answer_as, &error),
    }
}

async fn accept(
    state: &ServerState,
    encoding: Result<Encoding, IngestError>,
    content_encoding: Option<&str>,
    body: Body,
) -> Result<ExportSummary, IngestError> {
    let encoding = encoding?;
    let gzip = decode::is_gzip(content_encoding)?;
    let max_body = state.ingest.max_body;
    let body: Bytes = axum::body::to_bytes(body, max_body)
        .await
        .map_err(|_| IngestError::BodyTooLarge { limit: max_body })?;
    state
        .pipeline
        .stats
        .request_bytes
        .fetch_add(body.len() as u64, Ordering::Relaxed);
    let max_decompressed = state.ingest.max_decompressed;
    // Inflating and parsing are CPU work: export_traces runs this closure
    // on the blocking pool, not on the async threads.
    export_traces(state, move || {
        if gzip {
            decode::decode_request(&decode::gunzip(&body, max_decompressed)?, encoding)
        } else {
            decode::decode_request(&body, encoding)
        }
    })
    .await
}

fn success(encoding: Encoding, summary: &ExportSummary) -> Response {
    let body = match encoding {
        Encoding::Protobuf => ExportTraceServiceResponse {
            partial_success: summary.partial_success(),
        }
        .encode_to_vec(),
        Encoding::Json => {
            let value = match &summary.message {
                // int64 travels as a string in OTLP/JSON.
                Some(message) => json!({
                    "partialSuccess": {
                        "rejectedSpans": summary.rejected_spans.to_string(),
                        "errorMessage": message,
                    }
                }),
                None => json!({}),
            };
            value.to_string().into_bytes()
        }
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
