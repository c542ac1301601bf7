use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Errors of the JSON API, mapped here (and only here) to status codes.
///
/// Clients get a short, stable message; anything internal is logged where
/// it happened and never sent.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A dependency (the database) is not usable yet; worth retrying.
    #[error("{reason}")]
    Unavailable { reason: &'static str },
}

/// How long clients should wait before retrying an unavailable server.
const RETRY_AFTER_SECONDS: &str = "5";

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Unavailable { .. } => "unavailable",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = json!({ "error": { "code": self.code(), "message": self.to_string() } });
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECONDS),
            );
        }
        response
    }
}
