//! Focus on some namespaces: with 200 services, the map of one team's
//! namespaces and their direct neighbours reads better than the whole.
//! The choice is kept in the URL (`ns=a,b`), so a focused map can be shared.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::components::{use_query_param, use_set_query};

/// The namespaces chosen in the URL; empty means the whole map.
pub fn use_namespace_focus() -> Memo<BTreeSet<String>> {
    let param = use_query_param("ns");
    Memo::new(move |_| {
        param
            .get()
            .split(',')
            .map(str::trim)
            .filter(|ns| !ns.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

/// One toggle per namespace, plus "All".
#[component]
pub fn NamespaceFilter(namespaces: Vec<String>) -> impl IntoView {
    let focus = use_namespace_focus();
    let set_query = use_set_query();
    if namespaces.len() < 2 {
        return ().into_any();
    }
    let set_all = set_query.clone();
    let chips = namespaces
        .into_iter()
        .map(|namespace| {
            let set_query = set_query.clone();
            let pressed_ns = namespace.clone();
            let pressed = move || focus.with(|chosen| chosen.contains(&pressed_ns));
            let toggle_ns = namespace.clone();
            let label = namespace.clone();
            view! {
                <button
                    class="chip"
                    data-namespace=namespace
                    aria-pressed=move || pressed().to_string()
                    on:click=move |_| {
                        let mut chosen = focus.get_untracked();
                        if !chosen.remove(&toggle_ns) {
                            chosen.insert(toggle_ns.clone());
                        }
                        let value = chosen.into_iter().collect::<Vec<_>>().join(",");
                        set_query(&[("ns", Some(value)), ("node", None), ("edge", None)]);
                    }
                >
                    {label}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="namespace-filter" role="group" aria-label="Namespaces">
            <span class="muted">"Namespaces:"</span>
            <button
                class="chip"
                aria-pressed=move || focus.with(BTreeSet::is_empty).to_string()
                on:click=move |_| set_all(&[("ns", None)])
            >
                "All"
            </button>
            {chips}
            <span class="muted">"Neighbours outside the chosen namespaces are faded."</span>
        </div>
    }
    .into_any()
}
