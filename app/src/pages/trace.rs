use leptos::prelude::*;

use super::service::ServiceChips;
use super::use_path_param;
use crate::components::{EmptyState, PageHeader, SendDataHelp};
use crate::model::trace::{Trace, TraceSummary};
use crate::rpc::traces::get_trace;

mod detail;
mod waterfall_view;

use waterfall_view::Waterfall;

/// One trace as a waterfall of its spans.
#[component]
pub fn TracePage() -> impl IntoView {
    let id = use_path_param("id");
    let trace = Resource::new(move || id.get(), get_trace);
    let subtitle = Signal::derive(move || format!("Trace {}", id.get()));
    view! {
        <Transition fallback=move || view! {
            <PageHeader title=subtitle subtitle="Loading trace…"/>
        }>
            {move || trace.get().map(|result| match result {
                Ok(Some(trace)) => view! { <TraceBody trace subtitle/> }.into_any(),
                Ok(None) => view! {
                    <PageHeader title=subtitle subtitle="Trace"/>
                    <EmptyState
                        title="This trace has not arrived"
                        explanation="No span of this trace is stored. Spans can take a few \
                                     seconds to arrive after the request ends; check the trace \
                                     id and the exporter."
                    >
                        <SendDataHelp/>
                    </EmptyState>
                }.into_any(),
                Err(error) => view! {
                    <PageHeader title=subtitle subtitle="Trace"/>
                    <p class="error-banner">{error.to_string()}</p>
                }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn TraceBody(trace: Trace, subtitle: Signal<String>) -> impl IntoView {
    let summary = TraceSummary::of(&trace);
    let title = format!("{}: {}", summary.root_service, summary.root_operation);
    let start = chrono::DateTime::from_timestamp_nanos(summary.start_ns)
        .format("%Y-%m-%d %H:%M:%S%.3f UTC")
        .to_string();
    let errors = (summary.error_count > 0)
        .then(|| view! { <span class="badge bad">{summary.error_count}" errors"</span> });
    view! {
        <PageHeader title subtitle/>
        <section class="trace-summary" data-testid="trace-summary">
            <span><span class="muted">"Started "</span>{start}</span>
            <span><span class="muted">"Duration "</span>
                {crate::chart_scale::format_duration_ns(summary.duration_ns as f64)}</span>
            <span><span class="muted">"Spans "</span>{summary.span_count}</span>
            {errors}
            <ServiceChips services=summary.services.clone()/>
        </section>
        <Waterfall trace/>
    }
    .into_any()
}
