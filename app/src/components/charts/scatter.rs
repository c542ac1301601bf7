use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::Frame;
use crate::chart_scale::{LinearScale, format_duration_ns, nice_ticks};

/// One trace in the scatter plot.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterPoint {
    pub time_ms: i64,
    pub duration_ns: i64,
    pub href: String,
    pub label: String,
    pub error: bool,
}

/// Trace duration over time; clicking a dot opens its trace.
#[component]
pub fn ScatterPlot(points: Vec<ScatterPoint>, from_ms: i64, to_ms: i64) -> impl IntoView {
    let frame = Frame::CHART;
    let max = points
        .iter()
        .map(|p| p.duration_ns as f64)
        .fold(0.0, f64::max);
    let y_ticks = nice_ticks(0.0, max, 4);
    let y_top = y_ticks.last().copied().unwrap_or(1.0).max(max);
    let x = LinearScale::new((from_ms as f64, to_ms as f64), frame.x_range());
    let y = LinearScale::new((0.0, y_top), frame.y_range());
    let navigate = use_navigate();
    let grid = super::value_axis(&frame, &y_ticks, y, format_duration_ns);
    let x_labels = super::time_axis(&frame, from_ms, to_ms, x);
    let dots = points
        .into_iter()
        .map(|point| {
            let navigate = navigate.clone();
            let href = point.href.clone();
            view! {
                <circle
                    class=if point.error { "dot error" } else { "dot" }
                    data-testid="scatter-dot"
                    cx=x.map(point.time_ms as f64)
                    cy=y.map(point.duration_ns as f64)
                    r=5
                    on:click=move |_| navigate(&href, Default::default())
                >
                    <title>{point.label}</title>
                </circle>
            }
        })
        .collect_view();
    view! {
        <figure class="chart scatter">
            <figcaption><span class="chart-title">"Duration over time"</span></figcaption>
            <svg viewBox=format!("0 0 {} {}", frame.width, frame.height) role="img" aria-label="Trace durations over time">
                {grid}
                {x_labels}
                {dots}
            </svg>
        </figure>
    }
}
