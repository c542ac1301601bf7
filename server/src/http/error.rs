use app::storage::StorageError;
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
    /// The body was understood but some fields are wrong; each is named.
    #[error("some fields need fixing")]
    Invalid(Vec<app::search_form::FieldError>),
    /// The body is not JSON of the expected shape.
    #[error("{0}")]
    Malformed(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request is fine but the resource cannot change this way.
    #[error("{0}")]
    Conflict(&'static str),
    /// No user: neither a session nor an API token (or a revoked one).
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// The user's role is below the route's.
    #[error("this needs the {0} role")]
    Forbidden(&'static str),
    /// Logged where it happened; the client learns nothing more.
    #[error("internal error")]
    Internal,
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::Unavailable(_) => ApiError::Unavailable {
                reason: "the database is unavailable",
            },
            StorageError::NameTaken => ApiError::Invalid(vec![app::search_form::FieldError {
                field: "name".to_owned(),
                message: "another check already has this name".to_owned(),
            }]),
            other => {
                tracing::error!(error = %other, "api request failed");
                ApiError::Internal
            }
        }
    }
}

/// How long clients should wait before retrying an unavailable server.
const RETRY_AFTER_SECONDS: &str = "5";

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Unavailable { .. } => "unavailable",
            ApiError::Invalid(_) => "invalid",
            ApiError::Malformed(_) => "malformed",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::Unauthenticated(_) => "unauthenticated",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::Internal => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut error = json!({ "code": self.code(), "message": self.to_string() });
        if let ApiError::Invalid(fields) = &self {
            error["fields"] = json!(fields);
        }
        let body = json!({ "error": error });
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
