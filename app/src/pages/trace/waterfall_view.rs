//! The waterfall: one row per visible span, bars on a shared time axis.
//! Only the rows in view are in the DOM, so 10,000-span traces scroll
//! smoothly.

use std::collections::{HashMap, HashSet};

use leptos::html::Div;
use leptos::prelude::*;

use super::detail::SpanDetail;
use crate::chart_scale::format_duration_ns;
use crate::components::{use_query_param, use_set_query};
use crate::model::span::StatusCode;
use crate::model::trace::{Trace, hex};
use crate::pages::service::service_hue;
use crate::waterfall::{SpanTiming, SpanTree, critical_path, ruler_ticks, visible_window};

const ROW_HEIGHT: f64 = 26.0;
/// Rows rendered beyond the viewport each way, so fast scrolling does not
/// show blank rows.
const OVERSCAN: usize = 12;
/// Until the browser tells us, assume a viewport this tall.
const DEFAULT_VIEWPORT: f64 = 640.0;

#[component]
pub fn Waterfall(trace: Trace) -> impl IntoView {
    let timings: Vec<SpanTiming> = trace
        .spans
        .iter()
        .map(|span| SpanTiming {
            span_id: span.span_id,
            parent_id: span.parent_span_id,
            start_ns: span.start_ns,
            duration_ns: span.duration_ns,
        })
        .collect();
    let tree = SpanTree::build(&timings);
    let mut critical: HashMap<usize, Vec<(i64, i64)>> = HashMap::new();
    for segment in critical_path(&timings, &tree) {
        critical
            .entry(segment.span)
            .or_default()
            .push((segment.start_ns, segment.end_ns));
    }
    let (trace_start, trace_end) = (tree.start_ns(), tree.end_ns());
    let span_of_trace = trace_end.saturating_sub(trace_start).max(1) as f64;
    let percent = move |ns: i64| (ns - trace_start) as f64 / span_of_trace * 100.0;

    let trace = StoredValue::new(trace);
    let tree = StoredValue::new(tree);
    let critical = StoredValue::new(critical);
    let collapsed = RwSignal::new(HashSet::<usize>::new());
    // The selected span is in the URL (`?span=<id>`), so a link can point
    // at one span of a trace.
    let span_param = use_query_param("span");
    let set_query = use_set_query();
    let index_of: HashMap<u64, usize> = trace.with_value(|t| {
        t.spans
            .iter()
            .enumerate()
            .map(|(i, s)| (s.span_id, i))
            .collect()
    });
    let selected = Memo::new(move |_| {
        u64::from_str_radix(&span_param.get(), 16)
            .ok()
            .and_then(|id| index_of.get(&id).copied())
    });
    let select = {
        let set_query = set_query.clone();
        move |span: Option<u64>| set_query(&[("span", span.map(|id| hex(&id.to_be_bytes())))])
    };
    let scroll_top = RwSignal::new(0.0);
    let viewport = RwSignal::new(DEFAULT_VIEWPORT);
    let body = NodeRef::<Div>::new();

    let rows = Memo::new(move |_| tree.with_value(|tree| collapsed.with(|c| tree.visible_rows(c))));
    let window = Memo::new(move |_| {
        visible_window(
            scroll_top.get(),
            viewport.get(),
            ROW_HEIGHT,
            rows.with(Vec::len),
            OVERSCAN,
        )
    });
    let in_view = move || {
        let range = window.get();
        rows.with(|rows| {
            rows[range.clone()]
                .iter()
                .enumerate()
                .map(|(offset, span)| (range.start + offset, *span))
                .collect::<Vec<_>>()
        })
    };
    let on_scroll = move |_| {
        if let Some(element) = body.get_untracked() {
            scroll_top.set(element.scroll_top() as f64);
            viewport.set(element.client_height() as f64);
        }
    };
    let toggle = move |span: usize| {
        collapsed.update(|c| {
            if !c.remove(&span) {
                c.insert(span);
            }
        })
    };

    let ruler = ruler_ticks(trace_end.saturating_sub(trace_start), 6)
        .into_iter()
        .map(|(offset, label)| {
            view! { <span class="tick" style=format!("left:{:.3}%", percent(trace_start + offset))>{label}</span> }
        })
        .collect_view();

    let select_from_row = select.clone();
    let row_view = move |(row, span_index): (usize, usize)| {
        let (span, service) = trace.with_value(|t| {
            let span = t.spans[span_index].clone();
            let service = t.service_of(&span).to_owned();
            (span, service)
        });
        let (depth, has_children, orphan) = tree.with_value(|tree| {
            (
                tree.depth(span_index),
                !tree.children(span_index).is_empty(),
                tree.is_orphan(span_index),
            )
        });
        let left = percent(span.start_ns);
        let width = (span.duration_ns as f64 / span_of_trace * 100.0).max(0.15);
        let critical_marks = critical.with_value(|c| {
            c.get(&span_index).map(|segments| {
                segments
                    .iter()
                    .map(|(start, end)| {
                        let style = format!(
                            "left:{:.3}%;width:{:.3}%",
                            percent(*start),
                            ((end - start) as f64 / span_of_trace * 100.0).max(0.1)
                        );
                        view! { <div class="critical" style=style></div> }
                    })
                    .collect_view()
            })
        });
        let is_error = span.status_code == StatusCode::Error;
        let span_id = span.span_id;
        let hue = service_hue(&service);
        let expanded = move || !collapsed.with(|c| c.contains(&span_index));
        view! {
            <div
                class="span-row"
                class:selected=move || selected.get() == Some(span_index)
                class:error=is_error
                style=format!("top:{}px;--hue:{hue}", row as f64 * ROW_HEIGHT)
                data-testid="span-row"
                data-span-name=span.name.clone()
                on:click={
                    let select = select_from_row.clone();
                    move |_| select(Some(span_id))
                }
            >
                <div class="span-label" style=format!("padding-left:{}px", 4 + depth * 14)>
                    {has_children.then(|| view! {
                        <button
                            class="toggle"
                            aria-expanded=move || expanded().to_string()
                            aria-label="Show or hide child spans"
                            on:click=move |ev| { ev.stop_propagation(); toggle(span_index) }
                        >{move || if expanded() { "▾" } else { "▸" }}</button>
                    })}
                    <span class="service-dot"></span>
                    <span class="span-service">{service}</span>
                    " "
                    <span class="span-name">{span.name.clone()}</span>
                    {is_error.then(|| view! { <span class="error-mark" title="This span failed">"!"</span> })}
                    {orphan.then(|| view! { <span class="muted" title="Its parent span is not in this trace">" (parent missing)"</span> })}
                </div>
                <div class="span-timeline">
                    <div class="span-bar" style=format!("left:{left:.3}%;width:{width:.3}%")>
                        {critical_marks}
                    </div>
                    <span class="span-duration" style=format!("left:{:.3}%", (left + width).min(92.0))>
                        {format_duration_ns(span.duration_ns as f64)}
                    </span>
                </div>
            </div>
        }
        .into_any()
    };

    view! {
        <div class="waterfall" data-testid="waterfall">
            <div class="waterfall-head">
                <div class="span-label muted">"Service and operation"</div>
                <div class="ruler">{ruler}</div>
            </div>
            <div class="waterfall-body" node_ref=body on:scroll=on_scroll>
                <div class="waterfall-spacer" style=move || format!("height:{}px", rows.with(Vec::len) as f64 * ROW_HEIGHT)>
                    <For each=in_view key=|(row, span)| (*row, *span) children=row_view/>
                </div>
            </div>
            <p class="muted legend-note">
                <span class="critical-swatch"></span>" critical path: the work the trace's duration waited on"
            </p>
        </div>
        {move || selected.get().map(|index| view! {
            <SpanDetail trace index on_close={
                let select = select.clone();
                move || select(None)
            }/>
        })}
    }
    .into_any()
}
