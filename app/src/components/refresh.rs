//! Live pages: a counter that ticks on an interval in the browser, for
//! resources to refetch on. The server renders one snapshot and never ticks.

use std::time::Duration;

use leptos::prelude::*;

/// A signal that changes every `every` once the page has hydrated; the
/// interval stops when the component using it goes away.
pub fn use_refresh_tick(every: Duration) -> RwSignal<u32> {
    let tick = RwSignal::new(0u32);
    Effect::new(move |_| {
        let handle =
            set_interval_with_handle(move || tick.update(|t| *t = t.wrapping_add(1)), every);
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    tick
}
