use leptos::prelude::*;

use super::range_subtitle;
use crate::components::{EmptyState, PageHeader, SendDataHelp};

/// Who calls whom, derived from spans, with health on every node.
#[component]
pub fn MapPage() -> impl IntoView {
    view! {
        <PageHeader title="Service map" subtitle=range_subtitle("Dependencies between services")/>
        <EmptyState
            title="Nothing to draw yet"
            explanation="The map draws itself from client and server spans: every call between \
                         two services becomes an edge labelled with its rate, errors and latency."
        >
            <SendDataHelp/>
        </EmptyState>
    }
}
