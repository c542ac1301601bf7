use leptos::prelude::*;

use super::{range_subtitle, use_path_param};
use crate::components::{EmptyState, PageHeader, SendDataHelp};

/// Every registered health check and its current state.
#[component]
pub fn HealthPage() -> impl IntoView {
    view! {
        <PageHeader title="Health" subtitle=range_subtitle("Active health checks")/>
        <EmptyState
            title="No health checks yet"
            explanation="Watchpost probes each service's health endpoint (HTTP, TCP or gRPC) on \
                         an interval and records every result, even when no traffic flows. \
                         Services that send spans are suggested here for a check."
        >
            <SendDataHelp/>
        </EmptyState>
    }
}

/// One health check: its results over time and its dependencies.
#[component]
pub fn HealthCheckPage() -> impl IntoView {
    let check = use_path_param("check");
    view! {
        <PageHeader title=check subtitle=range_subtitle("Health check")/>
        <EmptyState
            title="No such health check"
            explanation="This check is not registered. Checks are listed on the Health page."
        />
    }
}
