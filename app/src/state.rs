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
    /// Makes a random secret (an API token, an ingest key) under a prefix
    /// like `wpt_`. The server supplies it, so one random source and one
    /// hash serve every secret.
    pub mint_secret: MintSecret,
    /// Hashes a new password (argon2id, off the async runtime); the server
    /// supplies it for the same reason. `None` when hashing failed.
    pub hash_password: HashPassword,
    /// Replays a rule over the last hours with the evaluator's own code
    /// (which lives in the server), for the rules page's preview.
    pub preview_rule: PreviewRule,
    /// Where the OTLP listeners are and whether they need a key, for the
    /// set-up instructions.
    pub site: crate::model::site::SiteInfo,
    /// Wakes this server's ingest-key cache to reload at once when a key is
    /// made or revoked from the UI (the server functions here cannot reach
    /// the cache, which lives in the server; the JSON API updates it
    /// directly).
    pub ingest_keys_changed: std::sync::Arc<tokio::sync::Notify>,
}

/// A rule in, what it would have done out.
pub type PreviewRule = fn(
    Database,
    crate::model::alert::AlertRule,
) -> std::pin::Pin<
    Box<
        dyn std::future::Future<
                Output = Result<
                    crate::model::rule_preview::RulePreview,
                    crate::storage::StorageError,
                >,
            > + Send,
    >,
>;

/// A password in, its PHC string out.
pub type HashPassword =
    fn(String) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<String>> + Send>>;

/// A secret just made: shown once, then only its prefix and hash are kept.
pub struct NewSecret {
    pub secret: String,
    pub prefix: String,
    pub hash: [u8; 32],
}

/// `None` when the system's random source fails.
pub type MintSecret = fn(kind: &str) -> Option<NewSecret>;

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
