//! OTLP/HTTP: `POST /v1/traces`, protobuf or JSON, optionally gzip.
//! Served on the OTLP port and on the main port.

use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceResponse,
};
use prost::Message;
use serde_json::json;

use super::decode::{self, Encoding};
use super::error::RETRY_AFTER_SECONDS;
use super::{ConvertedRequest, IngestError, convert};
use crate::startup::ServerState;

pub async fn export_traces(
    State(state): State<ServerState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    // An unknown content type is answered as protobuf (OTLP's default).
    let encoding = Encoding::from_content_type(header(header::CONTENT_TYPE));
    let answer_as = *encoding.as_ref().unwrap_or(&Encoding::Protobuf);
    match accept(&state, encoding, header(header::CONTENT_ENCODING), body).await {
        Ok(converted) => success(answer_as, &converted),
        Err(error) => failure(answer_as, &error),
    }
}

async fn accept(
    state: &ServerState,
    encoding: Result<Encoding, IngestError>,
    content_encoding: Option<&str>,
    body: Body,
) -> Result<ConvertedRequest, IngestError> {
    let encoding = encoding?;
    let gzip = decode::is_gzip(content_encoding)?;
    let settings = &state.ingest;
    let body: Bytes = axum::body::to_bytes(body, settings.max_body)
        .await
        .map_err(|_| IngestError::BodyTooLarge {
            limit: settings.max_body,
        })?;
    state
        .pipeline
        .stats
        .request_bytes
        .fetch_add(body.len() as u64, Ordering::Relaxed);

    // Inflating and parsing are CPU work: keep them off the async threads.
    let limits = settings.limits.clone();
    let max_decompressed = settings.max_decompressed;
    let converted = tokio::task::spawn_blocking(move || {
        let inflated;
        let bytes: &[u8] = if gzip {
            inflated = decode::gunzip(&body, max_decompressed)?;
            &inflated
        } else {
            &body
        };
        let request = decode::decode_request(bytes, encoding)?;
        Ok::<_, IngestError>(convert::convert(request, &limits, now_ns()))
    })
    .await
    .map_err(|_| IngestError::Internal)??;

    let stats = &state.pipeline.stats;
    stats
        .spans_rejected
        .fetch_add(converted.rejected_spans, Ordering::Relaxed);
    stats
        .values_truncated
        .fetch_add(converted.truncated_values, Ordering::Relaxed);
    let ConvertedRequest {
        batch,
        rejected_spans,
        error_message,
        truncated_values,
    } = converted;
    state.pipeline.submit(batch).await?;
    Ok(ConvertedRequest {
        batch: Default::default(),
        rejected_spans,
        error_message,
        truncated_values,
    })
}

pub fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

fn success(encoding: Encoding, converted: &ConvertedRequest) -> Response {
    let partial = converted
        .partial_success_message()
        .map(|message| (converted.rejected_spans, message));
    let body = match encoding {
        Encoding::Protobuf => ExportTraceServiceResponse {
            partial_success: partial.map(|(rejected_spans, error_message)| {
                ExportTracePartialSuccess {
                    rejected_spans: rejected_spans as i64,
                    error_message,
                }
            }),
        }
        .encode_to_vec(),
        Encoding::Json => {
            let value = match partial {
                // int64 travels as a string in OTLP/JSON.
                Some((rejected, message)) => json!({
                    "partialSuccess": { "rejectedSpans": rejected.to_string(), "errorMessage": message }
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
