use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What a server function can tell the browser went wrong.
///
/// Messages are written for people and never carry internal error text: the
/// full error is logged on the server where it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Watchpost cannot reach its database right now; it keeps retrying")]
    DatabaseUnavailable,
    #[error("something went wrong on the server; the details are in its log")]
    Internal,
    #[error("the request did not reach Watchpost: {0}")]
    Transport(String),
    #[error("no such {0}; it may have been deleted")]
    NotFound(String),
    /// The request was understood but cannot be done, with why.
    #[error("{0}")]
    Refused(String),
    /// Nobody is signed in (or the session ended).
    #[error("sign in to do this")]
    SignInRequired,
    /// Signed in, but the role is too low.
    #[error("this needs the {0} role")]
    Forbidden(crate::model::role::Role),
    /// Form fields the server refused, each with its message.
    #[error("some fields need fixing")]
    InvalidInput(Vec<crate::search_form::FieldError>),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        AppError::Transport(error.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<crate::storage::StorageError> for AppError {
    fn from(error: crate::storage::StorageError) -> Self {
        use crate::storage::StorageError;
        match error {
            StorageError::Unavailable(_) => AppError::DatabaseUnavailable,
            StorageError::Query(source) => {
                tracing::error!(error = %source, "server function query failed");
                AppError::Internal
            }
            StorageError::Corrupt(source) => {
                tracing::error!(error = %source, "stored data could not be read");
                AppError::Internal
            }
            StorageError::NameTaken => {
                AppError::InvalidInput(vec![crate::search_form::FieldError {
                    field: "name".to_owned(),
                    message: "another check already has this name".to_owned(),
                }])
            }
        }
    }
}
