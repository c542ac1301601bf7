//! The service map: who calls whom, how much, how often it fails, how
//! slow, and what is red right now. Refreshes itself every 15 s without
//! losing zoom, layout or selection (all kept outside the data).

mod graph;
mod namespaces;
mod panel;

use leptos::prelude::*;

use super::range_subtitle;
use crate::components::{
    EmptyState, PageHeader, SendDataHelp, use_query_param, use_refresh_tick, use_set_query,
    use_time_range,
};
use crate::map_layout::Layout;
use crate::rpc::map::fetch_service_map;

use graph::{MapGraph, Viewport};
use namespaces::{NamespaceFilter, use_namespace_focus};
use panel::SelectionPanel;

/// How often the map asks for fresh data.
const REFRESH: std::time::Duration = std::time::Duration::from_secs(15);

#[component]
pub fn MapPage() -> impl IntoView {
    let range = use_time_range();
    let tick = use_refresh_tick(REFRESH);
    let map = Resource::new(
        move || (range.get().to_query_string(), tick.get()),
        |(window, _)| fetch_service_map(window),
    );
    let viewport = RwSignal::new(Viewport::default());
    let previous_layout = StoredValue::new(None::<Layout>);
    let idle = use_query_param("idle");
    let set_query = use_set_query();
    let show_idle = Memo::new(move |_| idle.get() == "show");
    let focus = use_namespace_focus();
    view! {
        <PageHeader title="Service map" subtitle=range_subtitle("Who calls whom, and how it is going")/>
        <div class="map-tools">
            <label>
                <input type="checkbox" data-testid="show-idle"
                    prop:checked=move || show_idle.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        set_query(&[("idle", on.then(|| "show".to_owned()))]);
                    }/>
                " Show idle edges"
            </label>
            <button on:click=move |_| viewport.set(Viewport::default())>"Fit"</button>
            <span class="muted">"Scroll to zoom, drag to pan. Refreshes every 15 s."</span>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading the map…"</p> }>
            {move || map.get().map(|result| match result {
                Ok(map) if map.nodes.is_empty() => view! {
                    <EmptyState
                        title="No calls between services in this window"
                        explanation="The map is drawn from spans: a client span in one service \
                                     whose server child is in another is an edge. Calls to \
                                     databases and external APIs appear once their client spans \
                                     carry db.system, peer.service or server.address."
                    >
                        <SendDataHelp/>
                    </EmptyState>
                }.into_any(),
                Ok(map) => {
                    let namespaces = map.namespaces();
                    let chosen = focus.get();
                    let (shown, boundary) = if chosen.is_empty() {
                        (map.clone(), Default::default())
                    } else {
                        map.within_namespaces(&chosen)
                    };
                    view! {
                        <NamespaceFilter namespaces/>
                        <div class="map-layout">
                            <MapGraph map=shown viewport previous_layout show_idle boundary/>
                            <SelectionPanel map/>
                        </div>
                    }.into_any()
                }
                Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}
