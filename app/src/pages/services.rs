use leptos::prelude::*;

use super::{range_subtitle, use_path_param};
use crate::components::{EmptyState, PageHeader, SendDataHelp};

/// Every service that reported in the window, with its rate, errors and latency.
#[component]
pub fn ServicesPage() -> impl IntoView {
    view! {
        <PageHeader title="Services" subtitle=range_subtitle("Rate, errors and latency of every service")/>
        <EmptyState
            title="No services have reported yet"
            explanation="Each service that sends spans appears here with its requests per second, \
                         error rate, p50/p95/p99 latency and health."
        >
            <SendDataHelp/>
        </EmptyState>
    }
}

/// One service: its operations, RED charts, health and dependencies.
#[component]
pub fn ServicePage() -> impl IntoView {
    let name = use_path_param("name");
    view! {
        <PageHeader title=name subtitle=range_subtitle("Service")/>
        <EmptyState
            title=format!("No spans from {} in this window", name.get_untracked())
            explanation="Once this service sends spans, its operations, latency percentiles, \
                         error rate and the services it calls appear here."
        >
            <SendDataHelp/>
        </EmptyState>
    }
}
