use leptos::prelude::*;

use super::Frame;
use crate::chart_scale::{LinearScale, line_path, nice_ticks};

/// One line: a name for the legend, a CSS class for its colour, and one
/// value per time bucket (`None` draws a gap).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub class: &'static str,
    pub values: Vec<Option<f64>>,
}

/// A time-series chart with axes, units and a hover read-out: moving over
/// a bucket shows its time and every series' value there.
#[component]
pub fn LineChart(
    #[prop(into)] title: String,
    /// Bucket start times, unix ms; one per value in every series.
    times_ms: Vec<i64>,
    step_ms: i64,
    series: Vec<Series>,
    /// Formats axis labels and read-outs, e.g. as a rate or a duration.
    format: fn(f64) -> String,
) -> impl IntoView {
    let frame = Frame::CHART;
    let from = times_ms.first().copied().unwrap_or(0);
    let to = times_ms.last().copied().unwrap_or(from) + step_ms;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0_f64, |a, &b| a.max(b));
    let y_ticks = nice_ticks(0.0, max, 4);
    let y_top = y_ticks.last().copied().unwrap_or(1.0).max(max);
    let x = LinearScale::new((from as f64, to as f64), frame.x_range());
    let y = LinearScale::new((0.0, y_top), frame.y_range());
    let centre = move |time: i64| x.map(time as f64 + step_ms as f64 / 2.0);
    let hovered = RwSignal::new(None::<usize>);

    let lines = series
        .iter()
        .map(|s| {
            let points: Vec<Option<(f64, f64)>> = times_ms
                .iter()
                .zip(&s.values)
                .map(|(time, value)| value.map(|v| (centre(*time), y.map(v))))
                .collect();
            view! { <path class=format!("line {}", s.class) d=line_path(&points)></path> }
        })
        .collect_view();
    let grid = super::value_axis(&frame, &y_ticks, y, format);
    let x_labels = super::time_axis(&frame, from, to, x);
    let bucket_width = (x.map((from + step_ms) as f64) - x.map(from as f64)).max(1.0);
    let hover_targets = times_ms
        .iter()
        .enumerate()
        .map(|(index, time)| {
            view! {
                <rect
                    class="hover-target"
                    x=x.map(*time as f64)
                    y=frame.top
                    width=bucket_width
                    height=frame.height - frame.top - frame.bottom
                    on:mouseenter=move |_| hovered.set(Some(index))
                ></rect>
            }
        })
        .collect_view();
    let hover_line = {
        let times_ms = times_ms.clone();
        move || {
            hovered.get().and_then(|index| times_ms.get(index)).map(|time| {
                let at = centre(*time);
                view! { <line class="hover-line" x1=at x2=at y1=frame.top y2=frame.height - frame.bottom></line> }
            })
        }
    };
    let readout = {
        let series = series.clone();
        move || {
            let index = hovered.get()?;
            let time = *times_ms.get(index)?;
            let when = chrono::DateTime::from_timestamp_millis(time)
                .map(|t| t.format("%H:%M UTC").to_string())
                .unwrap_or_default();
            let values = series
                .iter()
                .map(|s| {
                    let value = s.values.get(index).copied().flatten();
                    let text = value.map(format).unwrap_or_else(|| "no data".to_owned());
                    view! { <span class=format!("readout-item {}", s.class)>{s.name.clone()}": "{text}</span> }
                })
                .collect_view();
            Some(view! { <span class="readout-time">{when}</span>{values} })
        }
    };
    let legend = series
        .iter()
        .map(|s| view! { <span class=format!("legend-item {}", s.class)>{s.name.clone()}</span> })
        .collect_view();

    view! {
        <figure class="chart" on:mouseleave=move |_| hovered.set(None)>
            <figcaption>
                <span class="chart-title">{title.clone()}</span>
                <span class="legend">{legend}</span>
            </figcaption>
            <svg viewBox=format!("0 0 {} {}", frame.width, frame.height) role="img" aria-label=title>
                {grid}
                {x_labels}
                {lines}
                {hover_line}
                {hover_targets}
            </svg>
            <div class="readout" aria-live="polite">{readout}</div>
        </figure>
    }
}
