use axum::http::StatusCode;

/// Why an export request was not accepted, mapped here (and only here) to
/// HTTP statuses and gRPC codes. The text is safe to send to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    #[error("{0}")]
    Malformed(String),
    #[error("request body is larger than the {limit}-byte limit")]
    BodyTooLarge { limit: usize },
    #[error("decompressed request is larger than the {limit}-byte limit")]
    DecompressedTooLarge { limit: usize },
    #[error("unsupported content type {0:?}; use application/x-protobuf or application/json")]
    UnsupportedContentType(String),
    #[error("unsupported content encoding {0:?}; use gzip or none")]
    UnsupportedEncoding(String),
    #[error("the ingest queue is full; retry later")]
    Overloaded,
    #[error("the database is unavailable; retry later")]
    StorageUnavailable,
    #[error("the spans could not be stored")]
    Internal,
    #[error("an ingest key is required; send `Authorization: Bearer <key>`")]
    MissingKey,
    /// Deliberately says nothing about which: the key is never echoed.
    #[error("the ingest key is unknown or revoked")]
    UnknownKey,
    /// Keys are required but not loaded yet (see `auth/cache.rs`).
    #[error("ingest keys are not loaded yet; retry later")]
    KeysNotLoaded,
}

/// Seconds clients should wait before retrying a retryable error.
pub const RETRY_AFTER_SECONDS: u64 = 2;

impl IngestError {
    pub fn http_status(&self) -> StatusCode {
        match self {
            IngestError::Malformed(_) => StatusCode::BAD_REQUEST,
            IngestError::BodyTooLarge { .. } | IngestError::DecompressedTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            IngestError::UnsupportedContentType(_) | IngestError::UnsupportedEncoding(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            IngestError::Overloaded => StatusCode::TOO_MANY_REQUESTS,
            IngestError::StorageUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            IngestError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            IngestError::MissingKey | IngestError::UnknownKey => StatusCode::UNAUTHORIZED,
            IngestError::KeysNotLoaded => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn grpc_code(&self) -> tonic::Code {
        match self {
            IngestError::Malformed(_) | IngestError::UnsupportedContentType(_) => {
                tonic::Code::InvalidArgument
            }
            IngestError::UnsupportedEncoding(_) => tonic::Code::Unimplemented,
            // OTLP: RESOURCE_EXHAUSTED is retryable only with RetryInfo, so a
            // full queue is UNAVAILABLE, which every exporter retries.
            IngestError::BodyTooLarge { .. } | IngestError::DecompressedTooLarge { .. } => {
                tonic::Code::ResourceExhausted
            }
            IngestError::Overloaded
            | IngestError::StorageUnavailable
            | IngestError::KeysNotLoaded => tonic::Code::Unavailable,
            IngestError::Internal => tonic::Code::Internal,
            // Exporters do not retry UNAUTHENTICATED, as they do not retry 401.
            IngestError::MissingKey | IngestError::UnknownKey => tonic::Code::Unauthenticated,
        }
    }

    /// Whether clients should retry (and get a `Retry-After`).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            IngestError::Overloaded | IngestError::StorageUnavailable | IngestError::KeysNotLoaded
        )
    }
}
