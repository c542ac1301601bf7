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
                <TraceLookup/>
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

/// "Go to trace": paste a trace id from a log line and open it.
#[component]
fn TraceLookup() -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    let input = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = input.get().map(|i| i.value()).unwrap_or_default();
        let id: String = typed
            .trim()
            .chars()
            .filter(|c| c.is_ascii_hexdigit())
            .collect();
        if !id.is_empty() {
            navigate(
                &format!("/traces/{}", id.to_lowercase()),
                Default::default(),
            );
        }
    };
    view! {
        <form class="trace-lookup" role="search" on:submit=on_submit>
            <label class="visually-hidden" for="trace-lookup">"Trace id"</label>
            <input id="trace-lookup" node_ref=input name="id" placeholder="Trace id" autocomplete="off" spellcheck="false"/>
        </form>
    }
}
