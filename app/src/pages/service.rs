use leptos::prelude::*;
use leptos_router::components::A;

use super::{range_subtitle, use_path_param};
use crate::chart_scale::{format_duration_ns, format_percent, format_rate};
use crate::components::charts::{LineChart, Series};
use crate::components::{EmptyState, PageHeader, SendDataHelp, use_time_range};
use crate::model::red::RedFigures;
use crate::model::trace::TraceSummary;
use crate::rpc::services::{ServiceDetail, fetch_service_detail};

/// One service: RED charts, its operations, and traces worth opening.
#[component]
pub fn ServicePage() -> impl IntoView {
    let name = use_path_param("name");
    let range = use_time_range();
    let detail = Resource::new(
        move || (name.get(), range.get().to_query_string()),
        |(name, window)| fetch_service_detail(name, window),
    );
    view! {
        <PageHeader title=name subtitle=range_subtitle("Service")/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || detail.get().map(|result| match result {
                Ok(detail) if detail.total.requests == 0 && detail.operations.is_empty() => view! {
                    <EmptyState
                        title=format!("No spans from {} in this window", name.get_untracked())
                        explanation="Once this service sends spans, its operations, latency \
                                     percentiles, error rate and slowest traces appear here."
                    >
                        <SendDataHelp/>
                    </EmptyState>
                }.into_any(),
                Ok(detail) => view! { <ServiceBody detail/> }.into_any(),
                Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn ServiceBody(detail: ServiceDetail) -> impl IntoView {
    let times: Vec<i64> = detail.series.iter().map(|p| p.start_ms).collect();
    let step_ms = (detail.step_seconds * 1000.0) as i64;
    let step_seconds = detail.step_seconds;
    let values = |f: &dyn Fn(&RedFigures) -> Option<f64>| -> Vec<Option<f64>> {
        detail.series.iter().map(|p| f(&p.figures)).collect()
    };
    let rate = values(&|f| Some(f.rate_per_second(step_seconds)));
    let errors = values(&|f| (f.requests > 0).then(|| f.error_fraction()));
    let p50 = values(&|f| f.p50_ns.map(|v| v as f64));
    let p95 = values(&|f| f.p95_ns.map(|v| v as f64));
    let p99 = values(&|f| f.p99_ns.map(|v| v as f64));
    let total = detail.total;
    view! {
        <section class="figures" aria-label="Totals over the window">
            <Figure label="Requests/s" value=format_rate(total.rate_per_second(detail.window_seconds))/>
            <Figure label="Error rate" value=format_percent(total.error_fraction())/>
            <Figure label="p50" value=latency(total.p50_ns)/>
            <Figure label="p95" value=latency(total.p95_ns)/>
            <Figure label="p99" value=latency(total.p99_ns)/>
        </section>
        <section class="charts">
            <LineChart title="Requests per second" times_ms=times.clone() step_ms
                series=vec![Series { name: "rate".into(), class: "s-rate", values: rate }]
                format=format_rate/>
            <LineChart title="Error rate" times_ms=times.clone() step_ms
                series=vec![Series { name: "errors".into(), class: "s-error", values: errors }]
                format=format_percent/>
            <LineChart title="Latency" times_ms=times step_ms
                series=vec![
                    Series { name: "p50".into(), class: "s-p50", values: p50 },
                    Series { name: "p95".into(), class: "s-p95", values: p95 },
                    Series { name: "p99".into(), class: "s-p99", values: p99 },
                ]
                format=format_duration_ns/>
        </section>
        <h2 class="section-title">"Dependencies"</h2>
        <DependenciesTable detail=detail.clone()/>
        <h2 class="section-title">"Operations"</h2>
        <OperationsTable detail=detail.clone()/>
        <div class="two-columns">
            <section>
                <h2 class="section-title">"Recent errors"</h2>
                <TraceList traces=detail.recent_errors empty="No failed spans in this window."/>
            </section>
            <section>
                <h2 class="section-title">"Slowest traces"</h2>
                <TraceList traces=detail.slowest empty="No traces in this window."/>
            </section>
        </div>
    }
}

fn latency(value: Option<i64>) -> String {
    value
        .map(|ns| format_duration_ns(ns as f64))
        .unwrap_or_else(|| "–".to_owned())
}

#[component]
fn Figure(label: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="figure">
            <span class="figure-label">{label}</span>
            <span class="figure-value">{value}</span>
        </div>
    }
}

#[component]
fn OperationsTable(detail: ServiceDetail) -> impl IntoView {
    let window = detail.window_seconds;
    let rows = detail
        .operations
        .into_iter()
        .map(|operation| {
            let f = operation.figures;
            view! {
                <tr>
                    <td>{operation.name}</td>
                    <td class="muted">{operation.kind.otel_name().unwrap_or("unspecified")}</td>
                    <td class="num">{format_rate(f.rate_per_second(window))}</td>
                    <td class="num">{format_percent(f.error_fraction())}</td>
                    <td class="num">{latency(f.p50_ns)}</td>
                    <td class="num">{latency(f.p95_ns)}</td>
                    <td class="num">{latency(f.p99_ns)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="operations-table">
            <thead>
                <tr>
                    <th>"Operation"</th><th>"Kind"</th><th>"Requests/s"</th><th>"Error %"</th>
                    <th>"p50"</th><th>"p95"</th><th>"p99"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// What the service calls: each downstream, instrumented or virtual, with
/// its calls, errors, p95 and state.
#[component]
fn DependenciesTable(detail: ServiceDetail) -> impl IntoView {
    use crate::model::map::ERROR_RATE_CRITICAL;

    if detail.dependencies.is_empty() {
        return view! { <p class="muted">"No calls to other services or databases in this window."</p> }
            .into_any();
    }
    let window = detail.window_seconds;
    let rows = detail
        .dependencies
        .into_iter()
        .map(|edge| {
            let f = edge.client;
            let failing = f.error_fraction() >= ERROR_RATE_CRITICAL;
            view! {
                <tr class:bad=failing>
                    <td>{edge.callee.name.clone()}</td>
                    <td class="muted">{edge.callee.kind.label()}{edge.asynchronous.then_some(", async")}</td>
                    <td class="num">{format_rate(f.rate_per_second(window))}</td>
                    <td class="num">{format_percent(f.error_fraction())}</td>
                    <td class="num">{latency(f.p95_ns)}</td>
                    <td>{if failing { "failing" } else { "ok" }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="dependencies-table">
            <thead>
                <tr><th>"Calls"</th><th>"Kind"</th><th>"Calls/s"</th><th>"Error %"</th><th>"p95"</th><th>"State"</th></tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// Traces as lines: root, duration, spans, errors; each opens the trace.
#[component]
pub fn TraceList(traces: Vec<TraceSummary>, empty: &'static str) -> impl IntoView {
    let range = use_time_range();
    if traces.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    let items = traces
        .into_iter()
        .map(|trace| {
            let href = range.get_untracked().href_for(&format!("/traces/{}", trace.trace_id));
            let start = chrono::DateTime::from_timestamp_nanos(trace.start_ns)
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string();
            let errors = (trace.error_count > 0).then(|| {
                view! { <span class="badge bad">{trace.error_count}" errors"</span> }
            });
            view! {
                <li class="trace-item" data-trace-id=trace.trace_id.clone()>
                    <div class="trace-line">
                        <A href=href>
                            <strong>{trace.root_service.clone()}": "{trace.root_operation.clone()}</strong>
                        </A>
                        <span class="trace-duration">{format_duration_ns(trace.duration_ns as f64)}</span>
                    </div>
                    <div class="trace-meta">
                        <span class="muted">{trace.span_count}" spans"</span>
                        {errors}
                        <ServiceChips services=trace.services.clone()/>
                        <span class="muted trace-start">{start}</span>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="trace-list" data-testid="trace-list">{items}</ul> }.into_any()
}

/// The services of a trace with their span counts, each in its colour.
#[component]
pub fn ServiceChips(services: Vec<(String, usize)>) -> impl IntoView {
    services
        .into_iter()
        .map(|(name, count)| {
            view! {
                <span class="service-chip" style=format!("--hue:{}", service_hue(&name))>
                    {name.clone()}" "<span class="muted">{count}</span>
                </span>
            }
        })
        .collect_view()
}

/// A stable colour per service, so a service looks the same everywhere.
pub fn service_hue(name: &str) -> u32 {
    // FNV-1a: tiny, stable across builds and platforms.
    let hash = name.bytes().fold(0x811c9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash % 360
}
