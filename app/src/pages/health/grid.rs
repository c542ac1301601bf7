//! `/health`: every check as a card with its state, last latency, uptime
//! bar over the window and why it is failing; filters by state, label and
//! text live in the URL. Services that send spans without a check are
//! suggested below.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{REFRESH, check_href};
use crate::chart_scale::format_duration_ns;
use crate::components::{
    EmptyState, PageHeader, StateBadge, UptimeBarView, uptime_text, use_query_param,
    use_refresh_tick, use_set_query, use_time_range,
};
use crate::model::check::CheckState;
use crate::pages::range_subtitle;
use crate::rpc::checks::{
    CheckSuggestion, CheckSummary, HealthOverview, fetch_check_suggestions, fetch_health_overview,
};

/// The states the filter offers, plus `paused`.
const STATE_FILTERS: [&str; 6] = [
    "healthy",
    "degraded",
    "unhealthy",
    "unreachable",
    "pending",
    "paused",
];

#[component]
pub fn HealthPage() -> impl IntoView {
    let range = use_time_range();
    let tick = use_refresh_tick(REFRESH);
    let overview = Resource::new(
        move || (range.get().to_query_string(), tick.get()),
        |(window, _)| fetch_health_overview(window),
    );
    let suggestions = Resource::new(
        move || range.get().to_query_string(),
        fetch_check_suggestions,
    );
    view! {
        <PageHeader title="Health" subtitle=range_subtitle("Active health checks")/>
        // Adding checks is for admins; the server refuses anyone else.
        {crate::auth::allowed(crate::model::role::Role::Admin).then(|| view! {
            <div class="page-actions">
                <A href="/health/new" attr:class="button primary">"Add a check"</A>
            </div>
        })}
        <Transition fallback=|| view! { <p class="muted">"Loading checks…"</p> }>
            {move || overview.get().map(|result| match result {
                Ok(overview) => view! { <Overview overview/> }.into_any(),
                Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
        <Transition>
            {move || suggestions.get().map(|result| {
                view! { <Suggestions suggestions=result.unwrap_or_default()/> }
            })}
        </Transition>
    }
}

#[component]
fn Overview(overview: HealthOverview) -> impl IntoView {
    if overview.checks.is_empty() {
        return view! {
            <EmptyState
                title="No health checks yet"
                explanation="Watchpost probes each service's health endpoint (HTTP, TCP or gRPC) \
                             on an interval and records every result, even when no traffic flows. \
                             Add one, or start from a service listed below."
            />
        }
        .into_any();
    }
    view! { <CheckGrid checks=overview.checks/> }.into_any()
}

/// Whether a check passes the state, label and text filters.
fn matches(check: &CheckSummary, state: &str, label: &str, text: &str) -> bool {
    let state_ok = match state {
        "" => true,
        "paused" => check.paused,
        word => !check.paused && check.state.as_str() == word,
    };
    let label_ok = match label.split_once('=') {
        _ if label.is_empty() => true,
        Some((key, value)) => check
            .labels
            .get(key.trim())
            .is_some_and(|v| v == value.trim()),
        None => check.labels.contains_key(label.trim()),
    };
    let text = text.to_lowercase();
    let text_ok = text.is_empty()
        || check.name.to_lowercase().contains(&text)
        || check.service.to_lowercase().contains(&text);
    state_ok && label_ok && text_ok
}

#[component]
fn CheckGrid(checks: Vec<CheckSummary>) -> impl IntoView {
    let state = use_query_param("state");
    let label = use_query_param("label");
    let text = use_query_param("q");
    let set_query = use_set_query();
    let checks = StoredValue::new(checks);
    let shown = Memo::new(move |_| {
        let (state, label, text) = (state.get(), label.get(), text.get());
        let mut shown: Vec<CheckSummary> = checks.with_value(|all| {
            all.iter()
                .filter(|c| matches(c, &state, &label, &text))
                .cloned()
                .collect()
        });
        // Worst first: the grid is read during an incident.
        shown.sort_by(|a, b| {
            let rank = |c: &CheckSummary| if c.paused { 0 } else { c.state.severity() + 1 };
            rank(b).cmp(&rank(a)).then_with(|| a.name.cmp(&b.name))
        });
        shown
    });
    let (set_state, set_label, set_text) = (set_query.clone(), set_query.clone(), set_query);
    let state_options = STATE_FILTERS
        .into_iter()
        .map(|word| view! { <option value=word selected=move || state.get() == word>{word}</option> })
        .collect_view();
    view! {
        <div class="table-tools">
            <label>"State "
                <select data-testid="state-filter"
                    on:change=move |ev| set_state(&[("state", Some(event_target_value(&ev)))])>
                    <option value="" selected=move || state.get().is_empty()>"all"</option>
                    {state_options}
                </select>
            </label>
            <input type="search" placeholder="Label, e.g. team=core" data-testid="label-filter"
                prop:value=move || label.get()
                on:input=move |ev| set_label(&[("label", Some(event_target_value(&ev)))])/>
            <input type="search" placeholder="Filter by name or service"
                prop:value=move || text.get()
                on:input=move |ev| set_text(&[("q", Some(event_target_value(&ev)))])/>
        </div>
        <div class="check-grid" data-testid="check-grid">
            <For each=move || shown.get() key=|c| (c.id, c.state, c.paused, c.latency_ms.map(f64::to_bits)) let:check>
                <CheckCard check/>
            </For>
        </div>
        <Show when=move || shown.with(Vec::is_empty)>
            <p class="muted">"No check matches these filters."</p>
        </Show>
    }
}

#[component]
fn CheckCard(check: CheckSummary) -> impl IntoView {
    let range = use_time_range();
    let href = check_href(&range.get_untracked(), check.id);
    let latency = check
        .latency_ms
        .map(|ms| format_duration_ns(ms * 1e6))
        .unwrap_or_else(|| "–".to_owned());
    let failing = !check.paused && check.state.severity() >= CheckState::Degraded.severity();
    let reason = check.reason.clone().filter(|_| failing);
    let dependencies = (!check.failing_dependencies.is_empty())
        .then(|| format!("dependencies: {}", check.failing_dependencies.join(", ")));
    let labels = check
        .labels
        .iter()
        .map(|(key, value)| view! { <span class="chip">{format!("{key}={value}")}</span> })
        .collect_view();
    let bar_label = format!("Uptime of {} over the window", check.name);
    let name = check.name.clone();
    view! {
        <article class="check-card" data-check=check.name.clone()>
            <header>
                <StateBadge state=check.state paused=check.paused/>
                <A href=href attr:class="check-name">{name}</A>
            </header>
            <p class="muted">{check.service.clone()}" · "{crate::model::check_input::type_name(check.check_type)}</p>
            <p class="target" title=check.target.clone()>{check.target.clone()}</p>
            <dl class="check-figures">
                <dt>"Last latency"</dt><dd>{latency}</dd>
                <dt>"Uptime 24 h"</dt><dd>{uptime_text(check.uptime_24h)}</dd>
            </dl>
            {reason.map(|reason| view! { <p class="reason">{reason}</p> })}
            {dependencies.map(|text| view! { <p class="reason warn">{text}</p> })}
            <UptimeBarView bar=check.bar.clone() label=bar_label/>
            <div class="chips">{labels}</div>
        </article>
    }
}

/// Services seen in spans without a check, each with a prefilled form.
#[component]
fn Suggestions(suggestions: Vec<CheckSuggestion>) -> impl IntoView {
    if suggestions.is_empty() {
        return None;
    }
    let rows = suggestions
        .into_iter()
        .map(|s| {
            let mut query = vec![format!("service={}", encode(&s.service))];
            if let Some(url) = &s.url {
                query.push(format!("url={}", encode(url)));
            }
            let href = format!("/health/new?{}", query.join("&"));
            view! {
                <li data-suggestion=s.service.clone()>
                    <strong>{s.service.clone()}</strong>
                    {s.url.clone().map(|url| view! { <code>{url}</code> })}
                    {crate::auth::allowed(crate::model::role::Role::Admin)
                        .then(|| view! { <A href=href>"add a check"</A> })}
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <section class="suggestions" data-testid="suggestions">
            <h2>"Services without a check"</h2>
            <p class="muted">"These services send spans but nothing probes them, so an outage \
                             without traffic would go unseen."</p>
            <ul>{rows}</ul>
        </section>
    })
}

/// A query string value, percent-encoded.
fn encode(text: &str) -> String {
    crate::pages::services::encode_segment(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::check::{CheckSource, CheckType};
    use crate::rpc::checks::UptimeBar;

    fn check(state: CheckState, paused: bool) -> CheckSummary {
        CheckSummary {
            id: 1,
            name: "Orders health".to_owned(),
            service: "orders".to_owned(),
            check_type: CheckType::Http,
            target: "http://orders/health".to_owned(),
            state,
            state_since_ms: 0,
            paused,
            source: CheckSource::Ui,
            labels: [("team".to_owned(), "core".to_owned())].into(),
            latency_ms: Some(3.0),
            reason: None,
            failing_dependencies: Vec::new(),
            uptime_24h: None,
            bar: UptimeBar {
                from_ms: 0,
                slot_ms: 1,
                slots: Vec::new(),
            },
        }
    }

    #[test]
    fn filters_by_state_label_and_text() {
        let healthy = check(CheckState::Healthy, false);
        assert!(matches(&healthy, "", "", ""));
        assert!(matches(&healthy, "healthy", "team=core", "ORDERS"));
        assert!(matches(&healthy, "", "team", ""));
        assert!(!matches(&healthy, "unhealthy", "", ""));
        assert!(!matches(&healthy, "", "team=edge", ""));
        assert!(!matches(&healthy, "", "", "payments"));
        assert!(!matches(&healthy, "paused", "", ""));
        let paused = check(CheckState::Healthy, true);
        assert!(matches(&paused, "paused", "", ""));
        assert!(!matches(&paused, "healthy", "", ""));
        // An unknown word is not a state and matches nothing.
        assert!(!matches(&healthy, "bogus", "", ""));
    }
}
