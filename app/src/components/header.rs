use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::theme_toggle::ThemeToggle;
use super::time_range_picker::TimeRangePicker;
use crate::time_range::TimeRange;

/// The sections of the app, in the order engineers use them during an incident.
const SECTIONS: [(&str, &str); 5] = [
    ("/services", "Services"),
    ("/traces", "Traces"),
    ("/map", "Service map"),
    ("/health", "Health"),
    ("/alerts", "Alerts"),
];

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="topbar">
            <A href="/services" attr:class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                "Watchpost"
            </A>
            <nav class="sections" aria-label="Sections">
                {SECTIONS
                    .into_iter()
                    .map(|(path, label)| view! { <SectionLink path label/> })
                    .collect_view()}
            </nav>
            <div class="topbar-tools">
                <TimeRangePicker/>
                <ThemeToggle/>
            </div>
        </header>
    }
}

/// A navigation link that carries the current time range along, so moving
/// between sections keeps the window the engineer is looking at.
#[component]
fn SectionLink(path: &'static str, label: &'static str) -> impl IntoView {
    let query = use_query_map();
    let href = move || {
        let range = TimeRange::from_query(|key| query.read().get(key));
        range.href_for(path)
    };
    view! { <A href=href>{label}</A> }
}
