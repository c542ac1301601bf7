use std::time::Duration;

use app::storage::StorageError;
use app::storage::accounts::AccountStoreError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Why a login, logout or setup request failed, mapped here (and only
/// here) to a status. Bodies are short plain text: these endpoints answer
/// HTML forms, and never say whether a user exists.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the database is unavailable")]
    Unavailable,
    #[error("too many failed logins")]
    TooManyAttempts { retry_after: Duration },
    /// A user exists: first-run setup is over for good.
    #[error("setup is done")]
    SetupDone,
    /// No setup is open under this token.
    #[error("unknown setup link")]
    UnknownSetupLink,
    /// Logged where it happened.
    #[error("internal error")]
    Internal,
}

impl From<AccountStoreError> for AccountError {
    fn from(error: AccountStoreError) -> Self {
        match error {
            AccountStoreError::Storage(StorageError::Unavailable(_)) => AccountError::Unavailable,
            AccountStoreError::SetupClosed => AccountError::SetupDone,
            other => {
                tracing::error!(error = %other, "account request failed");
                AccountError::Internal
            }
        }
    }
}

impl From<super::password::PasswordError> for AccountError {
    fn from(error: super::password::PasswordError) -> Self {
        tracing::error!(error = %error, "password hashing failed");
        AccountError::Internal
    }
}

impl IntoResponse for AccountError {
    fn into_response(self) -> Response {
        match self {
            AccountError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "5".to_owned())],
                "Watchpost cannot reach its database right now; try again shortly.",
            )
                .into_response(),
            AccountError::TooManyAttempts { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                // Rounded up: "0" would invite an immediate retry.
                [(
                    header::RETRY_AFTER,
                    retry_after.as_secs().max(1).to_string(),
                )],
                "Too many failed logins; try again later.",
            )
                .into_response(),
            AccountError::SetupDone => (
                StatusCode::GONE,
                "Setup is done: Watchpost has users. Log in at /login.",
            )
                .into_response(),
            AccountError::UnknownSetupLink => (
                StatusCode::NOT_FOUND,
                "This setup link is unknown. The server logs the current one at start.",
            )
                .into_response(),
            AccountError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on the server; the details are in its log.",
            )
                .into_response(),
        }
    }
}
