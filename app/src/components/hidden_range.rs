//! The time range as hidden inputs, so a plain GET form keeps it.

use leptos::prelude::*;

use super::use_time_range;

#[component]
pub fn HiddenRange() -> impl IntoView {
    let range = use_time_range();
    move || {
        range
            .get()
            .query_pairs()
            .into_iter()
            .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
            .collect_view()
    }
}
