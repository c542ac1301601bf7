use leptos::prelude::*;

use super::range_subtitle;
use crate::components::{EmptyState, PageHeader, SendDataHelp};

/// Firing, acknowledged and resolved alerts.
#[component]
pub fn AlertsPage() -> impl IntoView {
    view! {
        <PageHeader title="Alerts" subtitle=range_subtitle("Firing, acknowledged and resolved")/>
        <EmptyState
            title="No alerts"
            explanation="Alerts fire when a service's error rate, latency or memory crosses its \
                         threshold, or when its health check fails. They need data first."
        >
            <SendDataHelp/>
        </EmptyState>
    }
}
