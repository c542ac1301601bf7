use leptos::prelude::*;

use super::{range_subtitle, use_path_param};
use crate::components::{EmptyState, PageHeader, SendDataHelp};

/// Trace search by service, operation, tags and duration.
#[component]
pub fn TracesPage() -> impl IntoView {
    view! {
        <PageHeader title="Traces" subtitle=range_subtitle("Search traces")/>
        <EmptyState
            title="No traces in this window"
            explanation="Traces appear here as soon as a service exports spans. Search them by \
                         service, operation, attributes and duration."
        >
            <SendDataHelp/>
        </EmptyState>
    }
}

/// One trace as a waterfall of its spans.
#[component]
pub fn TracePage() -> impl IntoView {
    let id = use_path_param("id");
    view! {
        <PageHeader title=Signal::derive(move || format!("Trace {}", id.get())) subtitle="Trace"/>
        <EmptyState
            title="This trace has not arrived"
            explanation="No span of this trace is stored. Spans can take a few seconds to \
                         arrive after the request ends; check the trace id and the exporter."
        >
            <SendDataHelp/>
        </EmptyState>
    }
}
