//! Server functions the pages read their data through. Each one is thin:
//! it resolves the time window, calls the storage layer, and returns the
//! shapes in `model`.

pub mod account;
pub mod alerts;
pub mod checks;
pub mod map;
pub mod metrics;
pub mod onboarding;
pub mod rules;
pub mod services;
pub mod silences;
pub mod status;
pub mod traces;

/// The window a page asked for, in unix ns at the time of the request.
#[cfg(feature = "ssr")]
fn window_ns(window: &str) -> (i64, i64) {
    let range = crate::time_range::TimeRange::from_query_string(window);
    let (from, to) = range.resolve(chrono::Utc::now());
    (
        from.timestamp_nanos_opt().unwrap_or(0),
        to.timestamp_nanos_opt().unwrap_or(i64::MAX),
    )
}
