//! Messages next to form fields: the field errors a form got back (from
//! its own checks or the server's), read per field.

use leptos::prelude::*;

use crate::error::AppError;
use crate::search_form::FieldError;

/// The messages for `field`, joined: the text under the field.
pub fn field_message(
    errors: RwSignal<Vec<FieldError>>,
    field: &'static str,
) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || {
        errors.with(|e| {
            e.iter()
                .filter(|e| e.field == field)
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

/// A server's refusal as field errors: each wrong field's own message, or
/// anything else (a lost connection, a conflict) next to `fallback`.
pub fn refusal_errors(error: AppError, fallback: &str) -> Vec<FieldError> {
    match error {
        AppError::InvalidInput(fields) => fields,
        other => vec![FieldError {
            field: fallback.to_owned(),
            message: other.to_string(),
        }],
    }
}
