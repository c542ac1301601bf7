//! The map drawn as SVG: nodes sized by traffic and coloured by health,
//! edges thick with traffic and red when failing, pan and zoom, and the
//! blast radius of the selected node.

use std::collections::{BTreeSet, HashMap};

use leptos::prelude::*;

use crate::chart_scale::{format_duration_ns, format_percent, format_rate};
use crate::components::{use_query_param, use_set_query};
use crate::map_layout::{
    Layout, LayoutEdge, LayoutNode, LayoutOptions, downstream, layout, upstream,
};
use crate::model::map::{ERROR_RATE_CRITICAL, EdgeFigures, MapNode, NodeKind, ServiceMap};

/// Room around the drawing for labels.
const MARGIN: f64 = 90.0;
/// Past this many edges their labels would overlap: they show on hover,
/// for the selection, or once zoomed in.
const LABELLED_EDGES: usize = 40;
const LABEL_ZOOM: f64 = 1.6;

/// Zoom and pan, kept by the page so a refresh does not reset them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    pub zoom: f64,
    pub pan_x: f64,
    pub pan_y: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            zoom: 1.0,
            pan_x: 0.0,
            pan_y: 0.0,
        }
    }
}

/// A node's radius: grows with the log of its traffic, so a busy gateway
/// does not dwarf everything else.
fn radius(node: &MapNode, window_seconds: f64) -> f64 {
    let per_second = node.figures.rate_per_second(window_seconds);
    (14.0 + 7.0 * (1.0 + per_second).log10()).min(40.0)
}

fn stroke_width(edge: &EdgeFigures, window_seconds: f64) -> f64 {
    (1.2 + 2.0 * (1.0 + edge.client.rate_per_second(window_seconds)).log10()).min(9.0)
}

/// Fewer than one call a minute on average.
fn is_idle(edge: &EdgeFigures, window_seconds: f64) -> bool {
    (edge.client.requests as f64) < window_seconds / 60.0
}

fn edge_label(edge: &EdgeFigures, window_seconds: f64) -> String {
    let p95 = edge
        .client
        .p95_ns
        .map(|ns| format_duration_ns(ns as f64))
        .unwrap_or_else(|| "–".to_owned());
    format!(
        "{} · {} · p95 {p95}",
        format_rate(edge.client.rate_per_second(window_seconds)),
        format_percent(edge.client.error_fraction())
    )
}

/// SVG path from one node's rim to the other's; curved when it goes
/// backwards or stays in its layer, a loop for a self-call.
fn edge_path(from: (f64, f64), to: (f64, f64), r_from: f64, r_to: f64, same: bool) -> String {
    let ((x1, y1), (x2, y2)) = (from, to);
    if same {
        return format!(
            "M {:.1} {:.1} C {:.1} {:.1}, {:.1} {:.1}, {:.1} {:.1}",
            x1 - 6.0,
            y1 - r_from,
            x1 - 34.0,
            y1 - r_from - 46.0,
            x1 + 34.0,
            y1 - r_from - 46.0,
            x1 + 6.0,
            y1 - r_from
        );
    }
    if x2 > x1 + 1.0 {
        let (sx, ex) = (x1 + r_from, x2 - r_to - 6.0);
        let mid = (sx + ex) / 2.0;
        return format!("M {sx:.1} {y1:.1} C {mid:.1} {y1:.1}, {mid:.1} {y2:.1}, {ex:.1} {y2:.1}");
    }
    // Backwards or within a layer: bow out below the straight line.
    let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0 + 70.0);
    format!(
        "M {x1:.1} {:.1} Q {mx:.1} {my:.1}, {x2:.1} {:.1}",
        y1 + r_from,
        y2 + r_to + 6.0
    )
}

#[component]
pub fn MapGraph(
    map: ServiceMap,
    viewport: RwSignal<Viewport>,
    previous_layout: StoredValue<Option<Layout>>,
    show_idle: Memo<bool>,
    /// Nodes drawn only because they neighbour the focused namespaces.
    boundary: BTreeSet<String>,
) -> impl IntoView {
    let window = map.window_seconds;
    let many_edges = map.edges.len() > LABELLED_EDGES;
    let layout_nodes: Vec<LayoutNode> = map
        .nodes
        .iter()
        .map(|n| LayoutNode {
            id: n.node.id(),
            group: n.namespace.clone(),
            weight: n.figures.requests as f64,
        })
        .collect();
    let layout_edges: Vec<LayoutEdge> = map
        .edges
        .iter()
        .map(|e| LayoutEdge {
            from: e.caller.clone(),
            to: e.callee.id(),
            weight: e.client.requests as f64,
        })
        .collect();
    let placed = previous_layout.with_value(|previous| {
        layout(
            &layout_nodes,
            &layout_edges,
            previous.as_ref(),
            &LayoutOptions::default(),
        )
    });
    previous_layout.set_value(Some(placed.clone()));
    let position: HashMap<String, (f64, f64)> = placed
        .nodes
        .iter()
        .map(|n| (n.id.clone(), (n.x + MARGIN, n.y + MARGIN)))
        .collect();
    let radii: HashMap<String, f64> = map
        .nodes
        .iter()
        .map(|n| (n.node.id(), radius(n, window)))
        .collect();
    let (width, height) = (placed.width + 2.0 * MARGIN, placed.height + 2.0 * MARGIN);

    let selected_node = use_query_param("node");
    let selected_edge = use_query_param("edge");
    let set_query = use_set_query();
    let edges_for_radius = StoredValue::new(layout_edges);
    let radius_sets = Memo::new(move |_| {
        let node = selected_node.get();
        if node.is_empty() {
            return (BTreeSet::new(), BTreeSet::new());
        }
        edges_for_radius.with_value(|edges| (upstream(&node, edges), downstream(&node, edges)))
    });
    let role_of = move |id: &str| -> &'static str {
        let node = selected_node.get();
        if node.is_empty() {
            return "";
        }
        let (up, down) = radius_sets.get();
        if id == node {
            "selected"
        } else if up.contains(id) {
            "upstream"
        } else if down.contains(id) {
            "downstream"
        } else {
            "dimmed"
        }
    };

    let edges = map
        .edges
        .iter()
        .map(|edge| {
            let from = position.get(&edge.caller).copied().unwrap_or_default();
            let to = position.get(&edge.callee.id()).copied().unwrap_or_default();
            let r_from = radii.get(&edge.caller).copied().unwrap_or(14.0);
            let r_to = radii.get(&edge.callee.id()).copied().unwrap_or(14.0);
            let same = edge.caller == edge.callee.id();
            // One geometry for the visible line and its wider hit area.
            let path = edge_path(from, to, r_from, r_to, same);
            let id = edge.id();
            let failing = edge.client.error_fraction() >= ERROR_RATE_CRITICAL;
            let idle = is_idle(edge, window);
            let set_query = set_query.clone();
            let select_id = id.clone();
            let (caller, callee) = (edge.caller.clone(), edge.callee.id());
            let dimmed = Memo::new(move |_| {
                let node = selected_node.get();
                !node.is_empty() && {
                    let (up, down) = radius_sets.get();
                    let touches = |n: &String| *n == node || up.contains(n) || down.contains(n);
                    !(touches(&caller) && touches(&callee))
                }
            });
            let related = move || !selected_node.get().is_empty() && !dimmed.get();
            view! {
                <g
                    class="edge"
                    class:failing=failing
                    class:async=edge.asynchronous
                    class:hidden=move || idle && !show_idle.get()
                    class:selected=move || selected_edge.get() == id
                    class:dimmed=dimmed
                    class:related=related
                    data-edge=edge.id()
                    on:click=move |ev| {
                        ev.stop_propagation();
                        set_query(&[("edge", Some(select_id.clone())), ("node", None)]);
                    }
                >
                    // A wide invisible stroke: thin lines are hard to click.
                    <path class="hit" d=path.clone()></path>
                    <path
                        class="line"
                        d=path
                        stroke-width=stroke_width(edge, window)
                        marker-end=if failing { "url(#arrow-bad)" } else { "url(#arrow)" }
                    ></path>
                    <text class="edge-label" x=(from.0 + to.0) / 2.0 y=(from.1 + to.1) / 2.0 - 6.0 text-anchor="middle">
                        {edge_label(edge, window)}
                    </text>
                </g>
            }
        })
        .collect_view();

    let nodes = map
        .nodes
        .iter()
        .map(|node| {
            let id = node.node.id();
            let (x, y) = position.get(&id).copied().unwrap_or_default();
            let r = radii.get(&id).copied().unwrap_or(14.0);
            let set_query = set_query.clone();
            let select_id = id.clone();
            let role_id = id.clone();
            let tooltip = format!("{} ({}): {}", node.node.name, node.node.kind.label(), node.health.reasons.join("; "));
            view! {
                <g
                    class=format!("node {}", node.health.level.css_class())
                    class:virtual=node.node.kind != NodeKind::Service
                    class:boundary=boundary.contains(&id)
                    data-node=id.clone()
                    data-health=node.health.level.css_class()
                    transform=format!("translate({x:.1},{y:.1})")
                    on:click=move |ev| {
                        ev.stop_propagation();
                        set_query(&[("node", Some(select_id.clone())), ("edge", None)]);
                    }
                >
                    <g class=move || format!("node-role {}", role_of(&role_id))>
                        <circle r=r></circle>
                        <KindIcon kind=node.node.kind/>
                        <text class="node-label" y=r + 14.0 text-anchor="middle">{node.node.name.clone()}</text>
                    </g>
                    <title>{tooltip}</title>
                </g>
            }
        })
        .collect_view();

    let view_box = move || {
        let v = viewport.get();
        format!(
            "{:.1} {:.1} {:.1} {:.1}",
            v.pan_x,
            v.pan_y,
            width / v.zoom,
            height / v.zoom
        )
    };
    let svg = NodeRef::<leptos::svg::Svg>::new();
    let drag = StoredValue::new(None::<(f64, f64)>);
    let units_per_pixel = move || {
        svg.get_untracked()
            .map(|element| {
                let pixels = f64::from(element.client_width()).max(1.0);
                width / viewport.get_untracked().zoom / pixels
            })
            .unwrap_or(1.0)
    };
    let set_query_clear = set_query.clone();
    view! {
        <svg
            class="map"
            class:quiet-labels=move || many_edges && viewport.get().zoom < LABEL_ZOOM
            data-testid="service-map"
            node_ref=svg
            viewBox=view_box
            preserveAspectRatio="xMidYMid meet"
            on:wheel=move |ev| {
                ev.prevent_default();
                let factor = if ev.delta_y() > 0.0 { 0.9 } else { 1.1 };
                viewport.update(|v| v.zoom = (v.zoom * factor).clamp(0.2, 6.0));
            }
            on:pointerdown=move |ev| drag.set_value(Some((f64::from(ev.client_x()), f64::from(ev.client_y()))))
            on:pointermove=move |ev| {
                if let Some((x0, y0)) = drag.get_value() {
                    let (x, y) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
                    let scale = units_per_pixel();
                    viewport.update(|v| {
                        v.pan_x -= (x - x0) * scale;
                        v.pan_y -= (y - y0) * scale;
                    });
                    drag.set_value(Some((x, y)));
                }
            }
            on:pointerup=move |_| drag.set_value(None)
            on:pointerleave=move |_| drag.set_value(None)
            on:dblclick=move |_| set_query_clear(&[("node", None), ("edge", None)])
        >
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" class="arrow"></path>
                </marker>
                <marker id="arrow-bad" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" class="arrow bad"></path>
                </marker>
            </defs>
            <g class="edges">{edges}</g>
            <g class="nodes">{nodes}</g>
        </svg>
    }
    .into_any()
}

/// A small type icon for virtual nodes.
#[component]
fn KindIcon(kind: NodeKind) -> impl IntoView {
    match kind {
        NodeKind::Service => ().into_any(),
        NodeKind::Database => view! {
            <g class="icon"><ellipse cx="0" cy="-6" rx="8" ry="3"></ellipse>
                <path d="M -8 -6 V 6 A 8 3 0 0 0 8 6 V -6"></path></g>
        }
        .into_any(),
        NodeKind::Cache => view! {
            <g class="icon"><path d="M 2 -10 L -6 2 H 0 L -2 10 L 6 -2 H 0 Z"></path></g>
        }
        .into_any(),
        NodeKind::Queue => view! {
            <g class="icon"><path d="M -8 -6 H 8 M -8 0 H 8 M -8 6 H 8"></path></g>
        }
        .into_any(),
        NodeKind::External => view! {
            <g class="icon"><circle r="8"></circle><path d="M -8 0 H 8 M 0 -8 C 5 -4, 5 4, 0 8 C -5 4, -5 -4, 0 -8"></path></g>
        }
        .into_any(),
    }
}
