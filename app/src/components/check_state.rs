//! How a check's state looks everywhere: a coloured badge and the uptime
//! bar of a status page, one slot per stretch of time.

use leptos::prelude::*;

use crate::chart_scale::format_percent;
use crate::model::check::CheckState;
use crate::rpc::checks::{BarSlot, UptimeBar};

/// The state as a coloured word; paused checks say so instead.
#[component]
pub fn StateBadge(state: CheckState, #[prop(optional)] paused: bool) -> impl IntoView {
    let (class, word) = if paused {
        ("paused", "paused")
    } else {
        (state.as_str(), state.as_str())
    };
    view! { <span class=format!("state-badge {class}") data-state=word>{word}</span> }
}

/// `slots` coloured by their worst result; hovering one tells its time and
/// how much of it was up. Empty slots (no results) stay grey.
#[component]
pub fn UptimeBarView(bar: UptimeBar, #[prop(into)] label: String) -> impl IntoView {
    let slot_ms = bar.slot_ms;
    let slots = bar
        .slots
        .iter()
        .enumerate()
        .map(|(index, slot)| {
            let start_ms = bar.from_ms + index as i64 * slot_ms;
            let title = slot_title(slot, start_ms, slot_ms);
            let class = slot
                .worst
                .map_or("slot empty".to_owned(), |s| format!("slot {}", s.as_str()));
            view! { <span class=class title=title></span> }
        })
        .collect_view();
    view! {
        <div class="uptime-bar" role="img" aria-label=label data-testid="uptime-bar">{slots}</div>
    }
}

fn slot_title(slot: &BarSlot, start_ms: i64, slot_ms: i64) -> String {
    let format = if slot_ms >= 86_400_000 {
        "%Y-%m-%d"
    } else {
        "%Y-%m-%d %H:%M"
    };
    let when = chrono::DateTime::from_timestamp_millis(start_ms)
        .map(|t| t.format(format).to_string())
        .unwrap_or_default();
    match (slot.worst, slot.up) {
        (Some(worst), Some(up)) => format!(
            "{when}: {} up, worst {}",
            format_percent(up),
            worst.as_str()
        ),
        _ => format!("{when}: no results"),
    }
}

/// A share of results up, or a dash without results.
pub fn uptime_text(up: Option<f64>) -> String {
    match up {
        // 99.95 % must not round up to a perfect-looking 100 %.
        Some(up) if up < 1.0 => format!("{:.2}%", (up * 10_000.0).floor() / 100.0),
        Some(_) => "100%".to_owned(),
        None => "–".to_owned(),
    }
}

/// "2026-11-30 17:04:05 UTC" from unix ms.
pub fn utc_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::uptime_text;

    #[test]
    fn uptime_never_rounds_up_to_perfect() {
        assert_eq!(uptime_text(Some(0.99999)), "99.99%");
        assert_eq!(uptime_text(Some(1.0)), "100%");
        assert_eq!(uptime_text(Some(0.5)), "50.00%");
        assert_eq!(uptime_text(None), "–");
    }
}
