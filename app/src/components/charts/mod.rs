//! Charts drawn as SVG by our own components: no chart library is
//! downloaded. Values are only ever placed in text nodes and attributes.

mod line_chart;
mod scatter;
mod sparkline;

pub use line_chart::{LineChart, Series};
pub use scatter::{ScatterPlot, ScatterPoint};
pub use sparkline::Sparkline;

use leptos::prelude::*;

use crate::chart_scale::{LinearScale, time_ticks};

/// Plot area inside every chart's SVG, in viewBox units.
pub(crate) struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Frame {
    pub const CHART: Frame = Frame {
        width: 640.0,
        height: 200.0,
        left: 56.0,
        right: 12.0,
        top: 10.0,
        bottom: 24.0,
    };

    pub fn x_range(&self) -> (f64, f64) {
        (self.left, self.width - self.right)
    }

    pub fn y_range(&self) -> (f64, f64) {
        (self.height - self.bottom, self.top)
    }
}

/// Horizontal grid lines with their value labels on the left.
pub(crate) fn value_axis(
    frame: &Frame,
    ticks: &[f64],
    y: LinearScale,
    format: fn(f64) -> String,
) -> impl IntoView + use<> {
    let (left, right) = (frame.left, frame.width - frame.right);
    ticks
        .iter()
        .map(|tick| {
            let at = y.map(*tick);
            view! {
                <line class="grid" x1=left x2=right y1=at y2=at></line>
                <text class="axis-label" x=left - 6.0 y=at + 4.0 text-anchor="end">
                    {format(*tick)}
                </text>
            }
        })
        .collect_view()
}

/// Time labels along the bottom, at round UTC times.
pub(crate) fn time_axis(
    frame: &Frame,
    from_ms: i64,
    to_ms: i64,
    x: LinearScale,
) -> impl IntoView + use<> {
    let baseline = frame.height - 6.0;
    time_ticks(from_ms, to_ms, 6)
        .into_iter()
        .map(|(time, label)| {
            view! {
                <text class="axis-label" x=x.map(time as f64) y=baseline text-anchor="middle">
                    {label}
                </text>
            }
        })
        .collect_view()
}
