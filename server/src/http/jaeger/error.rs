//! Errors of the Jaeger API, in Jaeger's envelope:
//! `{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":400,"msg":"…"}]}`.

use app::storage::StorageError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::params::ParamError;

#[derive(Debug, thiserror::Error)]
pub enum JaegerError {
    /// A query parameter is missing or unusable; the message names it.
    #[error("{0}")]
    BadParameter(#[from] ParamError),
    #[error("trace not found")]
    TraceNotFound,
    #[error("the database is unavailable")]
    Unavailable,
    /// Logged where it happens; clients get a generic message.
    #[error("internal error")]
    Internal,
}

impl From<StorageError> for JaegerError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::Unavailable(_) => JaegerError::Unavailable,
            other => {
                tracing::error!(error = %other, "jaeger api query failed");
                JaegerError::Internal
            }
        }
    }
}

impl JaegerError {
    fn status(&self) -> StatusCode {
        match self {
            JaegerError::BadParameter(_) => StatusCode::BAD_REQUEST,
            JaegerError::TraceNotFound => StatusCode::NOT_FOUND,
            JaegerError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            JaegerError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for JaegerError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = json!({
            "data": null,
            "total": 0,
            "limit": 0,
            "offset": 0,
            "errors": [{ "code": status.as_u16(), "msg": self.to_string() }],
        });
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}
