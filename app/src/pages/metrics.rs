//! `/explore`: pick a service and one of its metrics, chart it over the
//! range, optionally one line per value of an attribute. Counters show
//! their rate, histograms and summaries their percentiles.

use leptos::prelude::*;

use crate::chart_scale::{format_duration_ns, format_rate};
use crate::components::charts::{LineChart, Series};
use crate::components::{EmptyState, PageHeader, SendDataHelp, use_query_param, use_time_range};
use crate::model::metric_chart::{MetricChart, MetricInfo};

use crate::rpc::metrics::{MetricsCatalog, fetch_metric_chart, fetch_metrics_catalog};

/// Line colours, in order.
const LINE_CLASSES: [&str; 12] = [
    "s-g0", "s-g1", "s-g2", "s-g3", "s-g4", "s-g5", "s-g6", "s-g7", "s-g8", "s-g9", "s-g10",
    "s-g11",
];

#[component]
pub fn MetricsPage() -> impl IntoView {
    let service = use_query_param("service");
    let metric = use_query_param("metric");
    let group_by = use_query_param("by");
    let range = use_time_range();
    // Both made here, not inside a Transition, so the server and the
    // browser create them in the same order.
    let catalog = Resource::new(move || service.get(), fetch_metrics_catalog);
    let chart = Resource::new(
        move || {
            (
                service.get(),
                metric.get(),
                group_by.get(),
                range.get().to_query_string(),
            )
        },
        |(service, metric, by, window)| fetch_metric_chart(service, metric, by, window),
    );
    view! {
        <PageHeader title="Metrics" subtitle=Signal::derive(move || format!("Metrics · {}", range.get().label()))/>
        <Transition fallback=|| view! { <p class="muted">"Loading metrics…"</p> }>
            {move || {
                // Both read here: the one Transition waits for both.
                let shown = chart.get()?;
                catalog.get().map(|result| match result {
                    Ok(catalog) if catalog.services.is_empty() => view! { <NoMetrics/> }.into_any(),
                    Ok(catalog) => {
                        let chosen = catalog
                            .metrics
                            .iter()
                            .find(|m| m.name == metric.get())
                            .or_else(|| catalog.metrics.first())
                            .cloned();
                        let description = chosen.as_ref().map(|m| m.description.clone()).unwrap_or_default();
                        let name = chosen.as_ref().map(|m| m.name.clone()).unwrap_or_default();
                        view! {
                            <MetricPicker catalog chosen group_by=group_by.get()/>
                            <p class="muted">{description}</p>
                            <ChartView shown name/>
                        }.into_any()
                    }
                    Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
                })
            }}
        </Transition>
    }
}

#[component]
fn NoMetrics() -> impl IntoView {
    view! {
        <EmptyState
            title="No metrics yet"
            explanation="Services that export OTLP metrics (to /v1/metrics or gRPC) show up here: \
                         gauges, counters as rates, histograms as percentiles."
        >
            <SendDataHelp/>
        </EmptyState>
    }
}

/// A GET form, so every chart has a link; changing a picker shows it.
#[component]
fn MetricPicker(
    catalog: MetricsCatalog,
    chosen: Option<MetricInfo>,
    group_by: String,
) -> impl IntoView {
    let range = use_time_range();
    // With JavaScript, a changed picker shows its chart at once.
    let navigate = leptos_router::hooks::use_navigate();
    let current = (
        catalog.service.clone(),
        chosen.as_ref().map(|m| m.name.clone()).unwrap_or_default(),
        group_by.clone(),
    );
    let go = move |field: &'static str| {
        let navigate = navigate.clone();
        let (service, metric, _) = current.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            let (service, metric, by) = match field {
                "service" => (value, String::new(), String::new()),
                "metric" => (service.clone(), value, String::new()),
                _ => (service.clone(), metric.clone(), value),
            };
            navigate(
                &href(&service, &metric, &by, &range.get_untracked()),
                Default::default(),
            );
        }
    };
    let keys = chosen
        .as_ref()
        .map(|m| m.attribute_keys.clone())
        .unwrap_or_default();
    let chosen_name = chosen.as_ref().map(|m| m.name.clone()).unwrap_or_default();
    view! {
        <form class="search-form" method="get" action="/explore" data-testid="metric-picker">
            <crate::components::HiddenRange/>
            <div class="field">
                <label for="metric-service">"Service"</label>
                <select id="metric-service" name="service" on:change=go("service")>
                    {catalog.services.iter().map(|s| view! {
                        <option value=s.clone() selected=*s == catalog.service>{s.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="metric-name">"Metric"</label>
                <select id="metric-name" name="metric" on:change=go("metric")>
                    {catalog.metrics.iter().map(|m| view! {
                        <option value=m.name.clone() selected=m.name == chosen_name>
                            {format!("{} ({})", m.name, m.kind_text())}
                        </option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="metric-by">"Group by"</label>
                <select id="metric-by" name="by" on:change=go("by")>
                    {std::iter::once((String::new(), "Nothing: one line".to_owned()))
                        .chain(keys.into_iter().map(|k| (k.clone(), k)))
                        .map(|(value, label)| {
                            let selected = value == group_by;
                            view! { <option value=value selected=selected>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="submit">"Show"</button>
        </form>
    }
}

/// The page's address for a choice, keeping the range.
fn href(service: &str, metric: &str, by: &str, range: &crate::time_range::TimeRange) -> String {
    use crate::model::account::encode_query_value as encode;
    let mut query = vec![
        format!("service={}", encode(service)),
        format!("metric={}", encode(metric)),
        format!("by={}", encode(by)),
    ];
    query.extend(
        range
            .query_pairs()
            .into_iter()
            .map(|(name, value)| format!("{name}={}", encode(&value))),
    );
    format!("/explore?{}", query.join("&"))
}

#[component]
fn ChartView(
    shown: Result<Option<MetricChart>, crate::error::AppError>,
    name: String,
) -> impl IntoView {
    match shown {
        Ok(Some(chart))
            if chart
                .lines
                .iter()
                .any(|l| l.values.iter().any(Option::is_some)) =>
        {
            view! { <MetricLines chart name/> }.into_any()
        }
        Ok(_) => view! {
            <p class="muted" data-testid="metric-empty">"No points in this range."</p>
        }
        .into_any(),
        Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
    }
}

#[component]
fn MetricLines(chart: MetricChart, name: String) -> impl IntoView {
    let format = formatter(&chart.unit, &chart.shows);
    let title = match chart.unit.as_str() {
        "" | "1" => format!("{name} · {}", chart.shows),
        unit => format!("{name} · {} ({unit})", chart.shows),
    };
    let series = chart
        .lines
        .into_iter()
        .zip(LINE_CLASSES.iter().cycle())
        .map(|(line, class)| Series {
            name: line.name,
            class,
            values: line.values,
        })
        .collect();
    view! {
        <div data-testid="metric-chart">
            <LineChart title times_ms=chart.times_ms step_ms=chart.step_ms series format/>
        </div>
    }
}

/// How values read: by the metric's unit (UCUM, as OTLP uses), and as a
/// rate for counters.
fn formatter(unit: &str, shows: &str) -> fn(f64) -> String {
    match (unit, shows) {
        (_, "rate per second") => format_rate,
        ("s", _) => |v| format_duration_ns(v * 1e9),
        ("ms", _) => |v| format_duration_ns(v * 1e6),
        ("us", _) => |v| format_duration_ns(v * 1e3),
        ("By", _) => format_bytes,
        _ => format_number,
    }
}

fn format_bytes(bytes: f64) -> String {
    const UNITS: [(f64, &str); 4] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")];
    match UNITS.iter().find(|(size, _)| bytes.abs() >= *size) {
        Some((size, unit)) => format!("{:.1} {unit}", bytes / size),
        None => format!("{bytes:.0} B"),
    }
}

fn format_number(value: f64) -> String {
    const UNITS: [(f64, &str); 3] = [(1e9, "G"), (1e6, "M"), (1e3, "k")];
    match UNITS.iter().find(|(size, _)| value.abs() >= *size) {
        Some((size, unit)) => format!("{:.2}{unit}", value / size),
        None if value.fract() == 0.0 => format!("{value:.0}"),
        None => format!("{value:.3}"),
    }
}
