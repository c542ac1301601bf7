use leptos::prelude::*;

use crate::chart_scale::{LinearScale, line_path};

const WIDTH: f64 = 120.0;
const HEIGHT: f64 = 24.0;

/// A tiny trend line of counts, scaled to its own maximum.
#[component]
pub fn Sparkline(values: Vec<u64>, #[prop(into)] label: String) -> impl IntoView {
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let x = LinearScale::new(
        (0.0, values.len().saturating_sub(1).max(1) as f64),
        (1.0, WIDTH - 1.0),
    );
    let y = LinearScale::new((0.0, max), (HEIGHT - 2.0, 2.0));
    let points: Vec<Option<(f64, f64)>> = values
        .iter()
        .enumerate()
        .map(|(index, value)| Some((x.map(index as f64), y.map(*value as f64))))
        .collect();
    view! {
        <svg
            class="sparkline"
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            width=WIDTH
            height=HEIGHT
            role="img"
            aria-label=label
        >
            <path d=line_path(&points)></path>
        </svg>
    }
}
