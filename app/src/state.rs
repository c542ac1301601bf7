use leptos::config::LeptosOptions;

use leptos::prelude::use_context;

use crate::error::AppError;
use crate::storage::Database;

/// What server functions and pages need from the server, provided as context
/// on every request. One instance is built at start-up and cloned cheaply.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Database,
}

/// The state, from inside a server function or a server-side render.
///
/// Missing context is a wiring bug in the server, not the user's problem: it
/// is logged and reported as an internal error instead of panicking.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState was not provided to this request");
        AppError::Internal
    })
}
