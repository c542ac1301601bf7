//! The Health section: the grid of checks (`/health`), one check
//! (`/health/:check`), and the form that creates and edits them.

mod check;
mod form;
mod grid;

pub use check::HealthCheckPage;
pub use form::NewCheckPage;
pub use grid::HealthPage;

use leptos::prelude::*;

/// How often the Health pages ask for fresh results.
const REFRESH_MS: u64 = 5_000;

/// A counter that ticks every `REFRESH_MS` in the browser, for resources
/// to refetch on; the server renders one snapshot.
fn use_refresh_tick() -> RwSignal<u32> {
    let tick = RwSignal::new(0u32);
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || tick.update(|t| *t = t.wrapping_add(1)),
            std::time::Duration::from_millis(REFRESH_MS),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    tick
}

/// The link to a check's page, keeping the time range.
fn check_href(range: &crate::time_range::TimeRange, id: i64) -> String {
    range.href_for(&format!("/health/{id}"))
}
