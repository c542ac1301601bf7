//! The side panel: the selected node's figures, dependencies and
//! dependants, or the traces that crossed the selected edge.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::chart_scale::{format_duration_ns, format_percent, format_rate};
use crate::components::{use_query_param, use_set_query, use_time_range};
use crate::model::map::{ERROR_RATE_CRITICAL, EdgeFigures, MapNode, NodeKind, ServiceMap};
use crate::pages::service::TraceList;
use crate::pages::services::encode_segment;
use crate::rpc::map::fetch_edge_traces;

fn latency(ns: Option<i64>) -> String {
    ns.map(|ns| format_duration_ns(ns as f64))
        .unwrap_or_else(|| "–".to_owned())
}

#[component]
pub fn SelectionPanel(map: ServiceMap) -> impl IntoView {
    let node = use_query_param("node");
    let edge = use_query_param("edge");
    let map = StoredValue::new(map);
    move || {
        let (node, edge) = (node.get(), edge.get());
        map.with_value(|map| {
            if let Some(found) = map.nodes.iter().find(|n| n.node.id() == node) {
                return view! { <NodePanel node=found.clone() map=map.clone()/> }.into_any();
            }
            if let Some(found) = map.edges.iter().find(|e| e.id() == edge) {
                return view! { <EdgePanel edge=found.clone() window=map.window_seconds/> }
                    .into_any();
            }
            view! {
                <aside class="map-panel muted">
                    "Click a service to see its figures, what it depends on and what depends \
                     on it; click an edge to see the traces that crossed it."
                </aside>
            }
            .into_any()
        })
    }
}

/// One row of a dependency list: the other end, its calls and status.
fn edge_row(edge: &EdgeFigures, other: String, window: f64) -> impl IntoView + use<> {
    let failing = edge.client.error_fraction() >= ERROR_RATE_CRITICAL;
    view! {
        <tr class:bad=failing>
            <td>{other}</td>
            <td class="num">{format_rate(edge.client.rate_per_second(window))}</td>
            <td class="num">{format_percent(edge.client.error_fraction())}</td>
            <td class="num">{latency(edge.client.p95_ns)}</td>
            <td>{if failing { "failing" } else { "ok" }}</td>
        </tr>
    }
}

#[component]
fn NodePanel(node: MapNode, map: ServiceMap) -> impl IntoView {
    let range = use_time_range();
    let id = node.node.id();
    let window = map.window_seconds;
    let f = node.figures;
    let calls_out: Vec<_> = map
        .edges
        .iter()
        .filter(|e| e.caller == id)
        .map(|e| edge_row(e, e.callee.name.clone(), window))
        .collect();
    let calls_in: Vec<_> = map
        .edges
        .iter()
        .filter(|e| e.callee.id() == id)
        .map(|e| edge_row(e, e.caller.clone(), window))
        .collect();
    let service_link = (node.node.kind == NodeKind::Service).then(|| {
        let href = range
            .get_untracked()
            .href_for(&format!("/services/{}", encode_segment(&node.node.name)));
        view! { <A href=href>"Open the service page"</A> }
    });
    let table = |rows: Vec<_>, empty: &'static str| {
        if rows.is_empty() {
            view! { <p class="muted">{empty}</p> }.into_any()
        } else {
            view! {
                <table class="data-table compact">
                    <thead><tr><th>"Node"</th><th>"Calls/s"</th><th>"Error %"</th><th>"p95"</th><th>"State"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        }
    };
    view! {
        <aside class="map-panel" data-testid="map-panel">
            <h2>{node.node.name.clone()}</h2>
            <p class="muted">{node.node.kind.label()}{node.namespace.clone().map(|ns| format!(" · namespace {ns}"))}</p>
            <p class=format!("health {}", node.health.level.css_class())>{node.health.reasons.join("; ")}</p>
            <dl class="span-facts">
                <dt>"Requests/s"</dt><dd>{format_rate(f.rate_per_second(window))}</dd>
                <dt>"Error rate"</dt><dd>{format_percent(f.error_fraction())}</dd>
                <dt>"p50 / p95 / p99"</dt>
                <dd>{latency(f.p50_ns)}" / "{latency(f.p95_ns)}" / "{latency(f.p99_ns)}</dd>
            </dl>
            {service_link}
            <h3>"Depends on"</h3>
            {table(calls_out, "Calls nothing in this window.")}
            <h3>"Depended on by"</h3>
            {table(calls_in, "Nothing calls it in this window.")}
            <p class="muted">"Highlighted on the map: upstream (who is impacted) and downstream (possible causes)."</p>
        </aside>
    }
}

#[component]
fn EdgePanel(edge: EdgeFigures, window: f64) -> impl IntoView {
    let range = use_time_range();
    let set_query = use_set_query();
    let caller = edge.caller.clone();
    let callee = edge.callee.clone();
    let traces = Resource::new(
        move || range.get().to_query_string(),
        move |window| fetch_edge_traces(caller.clone(), callee.clone(), window),
    );
    let f = edge.client;
    view! {
        <aside class="map-panel" data-testid="map-panel">
            <h2>{edge.caller.clone()}" → "{edge.callee.name.clone()}</h2>
            <p class="muted">{if edge.asynchronous { "asynchronous (messaging)" } else { "request" }}</p>
            <dl class="span-facts">
                <dt>"Calls/s"</dt><dd>{format_rate(f.rate_per_second(window))}</dd>
                <dt>"Error rate"</dt><dd>{format_percent(f.error_fraction())}</dd>
                <dt>"p95 (caller)"</dt><dd>{latency(f.p95_ns)}</dd>
                <dt>"p95 (callee)"</dt><dd>{latency(edge.server_p95_ns)}</dd>
            </dl>
            <h3>"Traces across this edge, failing first"</h3>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || traces.get().map(|result| match result {
                    Ok(traces) => view! { <TraceList traces empty="No stored traces cross this edge in this window."/> }.into_any(),
                    Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <button on:click=move |_| set_query(&[("edge", None)])>"Close"</button>
        </aside>
    }
}
