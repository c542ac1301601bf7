//! The Health section: the grid of checks (`/health`), one check
//! (`/health/:check`), and the form that creates and edits them.

mod check;
mod form;
mod grid;

pub use check::HealthCheckPage;
pub use form::NewCheckPage;
pub use grid::HealthPage;

/// How often the Health pages ask for fresh results.
const REFRESH: std::time::Duration = std::time::Duration::from_secs(5);

/// The link to a check's page, keeping the time range.
fn check_href(range: &crate::time_range::TimeRange, id: i64) -> String {
    range.href_for(&format!("/health/{id}"))
}
