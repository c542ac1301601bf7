use leptos::prelude::*;
use leptos_router::components::A;

use super::range_subtitle;
use crate::chart_scale::{format_duration_ns, format_percent, format_rate};
use crate::components::charts::Sparkline;
use crate::components::{
    EmptyState, PageHeader, SendDataHelp, ServiceWatch, use_query_param, use_set_query,
    use_time_range,
};
use crate::model::check::ServiceChecks;
use crate::model::red::ServiceRed;
use crate::rpc::services::{ServicesOverview, fetch_services_overview};
use crate::time_range::TimeRange;

/// The columns the table sorts by, as they appear in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Rate,
    Errors,
    P50,
    P95,
    P99,
    LastSeen,
}

impl Column {
    const ALL: [(Column, &'static str, &'static str); 7] = [
        (Column::Name, "name", "Service"),
        (Column::Rate, "rate", "Requests/s"),
        (Column::Errors, "errors", "Error %"),
        (Column::P50, "p50", "p50"),
        (Column::P95, "p95", "p95"),
        (Column::P99, "p99", "p99"),
        (Column::LastSeen, "seen", "Last seen"),
    ];

    fn from_key(key: &str) -> Column {
        Column::ALL
            .iter()
            .find(|(_, k, _)| *k == key)
            .map(|(c, _, _)| *c)
            .unwrap_or(Column::Rate)
    }

    fn key(self) -> &'static str {
        Column::ALL
            .iter()
            .find(|(c, _, _)| *c == self)
            .map(|(_, k, _)| *k)
            .unwrap_or("rate")
    }

    /// Names read best A→Z; figures read best largest first.
    fn default_descending(self) -> bool {
        self != Column::Name
    }

    fn compare(self, a: &ServiceRed, b: &ServiceRed) -> std::cmp::Ordering {
        let figure = |s: &ServiceRed| -> f64 {
            let f = &s.figures;
            match self {
                Column::Name => 0.0,
                Column::Rate => f.requests as f64,
                Column::Errors => f.error_fraction(),
                Column::P50 => f.p50_ns.unwrap_or(0) as f64,
                Column::P95 => f.p95_ns.unwrap_or(0) as f64,
                Column::P99 => f.p99_ns.unwrap_or(0) as f64,
                Column::LastSeen => s.last_seen_ms as f64,
            }
        };
        match self {
            Column::Name => a.name.cmp(&b.name),
            _ => figure(a)
                .total_cmp(&figure(b))
                .then_with(|| a.name.cmp(&b.name)),
        }
    }
}

/// Every service that reported in the window, with its rate, errors and latency.
#[component]
pub fn ServicesPage() -> impl IntoView {
    let range = use_time_range();
    let overview = Resource::new(
        move || range.get().to_query_string(),
        fetch_services_overview,
    );
    view! {
        <PageHeader title="Services" subtitle=range_subtitle("Rate, errors and latency of every service")/>
        <Transition fallback=|| view! { <p class="muted">"Loading services…"</p> }>
            {move || overview.get().map(|result| match result {
                Ok(answer) if answer.services.is_empty() => {
                    // Only a range that runs to now can gain a service.
                    let live = matches!(range.get(), TimeRange::Relative(_));
                    view! { <NoServices live on_arrival=move || overview.refetch()/> }.into_any()
                }
                Ok(answer) => view! { <ServicesTable overview=answer/> }.into_any(),
                Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn NoServices(live: bool, #[prop(into)] on_arrival: Callback<()>) -> impl IntoView {
    view! {
        <EmptyState
            title="No services have reported in this window"
            explanation="Each service that sends spans appears here with its requests per second, \
                         error rate, p50/p95/p99 latency and health."
        >
            {live.then(|| view! { <ServiceWatch on_arrival/> })}
            <SendDataHelp/>
        </EmptyState>
    }
}

#[component]
fn ServicesTable(overview: ServicesOverview) -> impl IntoView {
    let filter = use_query_param("q");
    let sort = use_query_param("sort");
    let dir = use_query_param("dir");
    let set_query = use_set_query();
    let window_seconds = overview.window_seconds;
    let services = StoredValue::new(overview.services);
    let checks = StoredValue::new(overview.checks);

    let column = Memo::new(move |_| Column::from_key(&sort.get()));
    let descending = Memo::new(move |_| match dir.get().as_str() {
        "asc" => false,
        "desc" => true,
        _ => column.get().default_descending(),
    });
    let rows = Memo::new(move |_| {
        let needle = filter.get().to_lowercase();
        let mut rows: Vec<ServiceRed> = services.with_value(|all| {
            all.iter()
                .filter(|s| s.name.to_lowercase().contains(&needle))
                .cloned()
                .collect()
        });
        let column = column.get();
        rows.sort_by(|a, b| column.compare(a, b));
        if descending.get() {
            rows.reverse();
        }
        rows
    });

    let set_filter = set_query.clone();
    let headers = Column::ALL
        .into_iter()
        .map(|(col, key, label)| {
            let set_query = set_query.clone();
            let aria_sort = move || match (column.get() == col, descending.get()) {
                (false, _) => "none",
                (true, true) => "descending",
                (true, false) => "ascending",
            };
            let on_click = move |_| {
                let next_descending = if column.get_untracked() == col {
                    !descending.get_untracked()
                } else {
                    col.default_descending()
                };
                set_query(&[
                    ("sort", Some(key.to_owned())),
                    (
                        "dir",
                        Some(if next_descending { "desc" } else { "asc" }.to_owned()),
                    ),
                ]);
            };
            view! {
                <th aria-sort=aria_sort>
                    <button class="sort" data-sort=col.key() on:click=on_click>{label}</button>
                </th>
            }
        })
        .collect_view();

    view! {
        <div class="table-tools">
            <label class="visually-hidden" for="service-filter">"Filter services"</label>
            <input
                id="service-filter"
                type="search"
                placeholder="Filter services"
                prop:value=move || filter.get()
                on:input=move |ev| set_filter(&[("q", Some(event_target_value(&ev)))])
            />
        </div>
        <table class="data-table" data-testid="services-table">
            <thead>
                <tr>{headers}<th>"Rate"</th><th>"Health"</th></tr>
            </thead>
            <tbody>
                <For each=move || rows.get() key=|s| (s.name.clone(), s.figures.requests) let:service>
                    <ServiceRow
                        checks=checks.with_value(|c| c.get(&service.name).cloned())
                        service
                        window_seconds
                    />
                </For>
            </tbody>
        </table>
    }
}

#[component]
fn ServiceRow(
    service: ServiceRed,
    window_seconds: f64,
    checks: Option<ServiceChecks>,
) -> impl IntoView {
    let range = use_time_range();
    let href = range
        .get_untracked()
        .href_for(&format!("/services/{}", encode_segment(&service.name)));
    let f = service.figures;
    let latency = |value: Option<i64>| {
        value
            .map(|ns| format_duration_ns(ns as f64))
            .unwrap_or_else(|| "–".to_owned())
    };
    let error_class = if f.error_fraction() >= 0.05 {
        "num bad"
    } else {
        "num"
    };
    let last_seen = chrono::DateTime::from_timestamp_millis(service.last_seen_ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default();
    let sparkline_label = format!("Request rate of {}", service.name);
    let link_text = service.name.clone();
    view! {
        <tr data-service=service.name.clone()>
            <td><A href=href>{link_text}</A></td>
            <td class="num">{format_rate(f.rate_per_second(window_seconds))}</td>
            <td class=error_class>{format_percent(f.error_fraction())}</td>
            <td class="num">{latency(f.p50_ns)}</td>
            <td class="num">{latency(f.p95_ns)}</td>
            <td class="num">{latency(f.p99_ns)}</td>
            <td class="muted">{last_seen}</td>
            <td><Sparkline values=service.requests_per_bucket.clone() label=sparkline_label/></td>
            <td><HealthBadge service=service.name.clone() checks/></td>
        </tr>
    }
}

/// The worst state of the service's health checks, naming the cause on
/// hover, and leading to those checks; or an invitation to add one.
#[component]
fn HealthBadge(service: String, checks: Option<ServiceChecks>) -> impl IntoView {
    let encoded = encode_segment(&service);
    match checks {
        Some(checks) => {
            let state = checks.state.as_str();
            let title = checks
                .cause
                .unwrap_or_else(|| format!("{} health check(s) pass", checks.checks));
            view! {
                <A href=format!("/health?q={encoded}") attr:class=format!("state-badge {state}")
                    attr:title=title attr:data-state=state>{state}</A>
            }
            .into_any()
        }
        None => view! {
            <A href=format!("/health/new?service={encoded}") attr:class="badge unknown"
                attr:title="No health check is configured for this service">"no check"</A>
        }
        .into_any(),
    }
}

/// A service name as one URL path segment.
pub(crate) fn encode_segment(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                encoded.push(byte as char)
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}
