//! `/alerts`: the on-call engineer's page. Open alerts first, firing before
//! pending, the unacknowledged ones marked; acknowledge with a comment
//! right there, or mute one until it resolves. The Silences tab is in
//! [`silences`]. Updates every 5 s.

mod detail;
mod rules;
mod silences;

use std::time::Duration;

use leptos::prelude::*;

use crate::components::{EmptyState, PageHeader, SendDataHelp, use_query_param, use_refresh_tick};
use crate::model::alert::{Alert, AlertState};
use crate::model::incident::{Incident, group_incidents};
use crate::model::role::Role;
use crate::rpc::alerts::{AckAlert, ResolveAlert, UnackAlert, alerts_list};
use crate::rpc::silences::MuteAlert;
pub use detail::AlertDetailPage;
pub use rules::RulesPage;
use silences::{EndingSilences, SilencesPanel};

const REFRESH: Duration = Duration::from_secs(5);

#[component]
pub fn AlertsPage() -> impl IntoView {
    let show = use_query_param("show");
    let tick = use_refresh_tick(REFRESH);
    let ack = ServerAction::<AckAlert>::new();
    let unack = ServerAction::<UnackAlert>::new();
    let mute = ServerAction::<MuteAlert>::new();
    let resolve = ServerAction::<ResolveAlert>::new();
    // While someone types a comment the list holds still.
    let typing = RwSignal::new(false);
    let list = Resource::new(
        move || {
            let tick = if typing.get() { 0 } else { tick.get() };
            let versions = (
                ack.version().get(),
                unack.version().get(),
                mute.version().get(),
                resolve.version().get(),
            );
            (show.get(), tick, versions)
        },
        |(show, ..)| alerts_list(show),
    );
    let actions = AlertActions {
        ack,
        unack,
        mute,
        resolve,
    };
    let failure = move || {
        let ack_error = ack.value().get().and_then(Result::err);
        let unack_error = unack.value().get().and_then(Result::err);
        let mute_error = mute.value().get().and_then(Result::err);
        let resolve_error = resolve.value().get().and_then(Result::err);
        ack_error
            .or(unack_error)
            .or(mute_error)
            .or(resolve_error)
            .map(|e| e.to_string())
    };
    let tab = move |value: &'static str, label: &'static str| {
        let href = if value.is_empty() {
            "/alerts".to_owned()
        } else {
            format!("/alerts?show={value}")
        };
        view! {
            <a href=href class="tab" class:active=move || show.get() == value>{label}</a>
        }
    };
    view! {
        <PageHeader title="Alerts" subtitle=Signal::derive(|| "Firing, pending and resolved, live".to_owned())/>
        <nav class="tabs" aria-label="Which alerts">
            {tab("", "Open")}
            {tab("resolved", "Resolved")}
            {tab("all", "All")}
            {tab("silences", "Silences")}
            <a href="/rules" class="tab">"Rules"</a>
        </nav>
        <Show when=move || show.get() == "silences" fallback=move || view! {
            <EndingSilences tick/>
            <AlertList list failure actions typing/>
        }>
            <SilencesPanel tick/>
        </Show>
    }
}

/// The on-call actions a card can take.
#[derive(Clone, Copy)]
struct AlertActions {
    ack: ServerAction<AckAlert>,
    unack: ServerAction<UnackAlert>,
    mute: ServerAction<MuteAlert>,
    resolve: ServerAction<ResolveAlert>,
}

#[component]
fn AlertList(
    list: Resource<Result<Vec<Alert>, crate::error::AppError>>,
    failure: impl Fn() -> Option<String> + Send + Sync + 'static,
    actions: AlertActions,
    typing: RwSignal<bool>,
) -> impl IntoView {
    view! {
        {move || failure().map(|text| view! { <p class="error-banner">{text}</p> })}
        <Transition fallback=|| view! { <p class="muted">"Loading alerts…"</p> }>
            {move || list.get().map(|result| match result {
                Ok(alerts) if alerts.is_empty() => view! { <NoAlerts/> }.into_any(),
                Ok(alerts) => view! {
                    <ul class="alert-list" data-testid="alerts">
                        {group_incidents(alerts).into_iter().map(|incident| view! {
                            <IncidentItem incident actions typing/>
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

/// An alert on its own, or an incident: the alerts at its root, then the
/// alerts of the services it impacts, folded away.
#[component]
fn IncidentItem(
    incident: Incident,
    actions: AlertActions,
    typing: RwSignal<bool>,
) -> impl IntoView {
    let cards = |alerts: Vec<Alert>| {
        alerts
            .into_iter()
            .map(|alert| view! { <AlertCard alert actions typing/> })
            .collect_view()
    };
    if incident.impacted.is_empty() {
        return cards(incident.alerts).into_any();
    }
    let mut services: Vec<String> = incident
        .impacted
        .iter()
        .map(|a| a.service.clone())
        .collect();
    // A service with several alerts is named once.
    services.sort_unstable();
    services.dedup();
    let summary = format!(
        "{} alerts on services that call it: {}",
        incident.impacted.len(),
        services.join(", ")
    );
    view! {
        <li class="incident" data-root=incident.root.clone()>
            <p class="incident-head">
                "Incident at " <strong>{incident.root.clone()}</strong>
                {incident.alerts.is_empty().then_some(" (its health check is down)")}
            </p>
            <ul class="alert-list">{cards(incident.alerts)}</ul>
            <details class="impacted">
                <summary>{summary}</summary>
                <ul class="alert-list">{cards(incident.impacted)}</ul>
            </details>
        </li>
    }
    .into_any()
}

#[component]
fn NoAlerts() -> impl IntoView {
    view! {
        <EmptyState
            title="No alerts"
            explanation="Alerts fire when a service's error rate passes 5 %, its average response \
                         time 2 s or its memory 80 %, or when its health check fails for a minute. \
                         They need data first."
        >
            <SendDataHelp/>
        </EmptyState>
    }
}

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[component]
fn AlertCard(alert: Alert, actions: AlertActions, typing: RwSignal<bool>) -> impl IntoView {
    let AlertActions {
        ack,
        unack,
        mute,
        resolve,
    } = actions;
    let id = alert.id;
    let open = alert.state != AlertState::Resolved;
    let unacked = alert.state == AlertState::Firing && alert.acknowledged_by.is_none();
    let since = match alert.state {
        AlertState::Firing => format!(
            "firing since {}",
            when(alert.firing_since.unwrap_or(alert.pending_since))
        ),
        AlertState::Pending => format!("pending since {}", when(alert.pending_since)),
        AlertState::Resolved => format!(
            "resolved {}{}",
            alert.resolved_at.map(when).unwrap_or_default(),
            alert
                .resolved_by
                .as_ref()
                .map(|by| format!(" by {by}"))
                .unwrap_or_default()
        ),
    };
    let value = alert.value.map(|v| alert.value_text(v)).unwrap_or_default();
    let threshold = alert.value_text(alert.threshold);
    let acknowledged = alert.acknowledged_by.clone().map(|by| {
        let at = alert.acknowledged_at.map(when).unwrap_or_default();
        let comment = alert.ack_comment.clone();
        view! {
            <p class="ack" data-testid="acknowledged">
                "Acknowledged by " <strong>{by}</strong> " at " {at}
                {comment.map(|c| view! { ": " <q>{c}</q> })}
            </p>
        }
    });
    let responder = crate::auth::allowed(Role::Responder);
    let silenced = alert.silenced_by.map(|silence| {
        let href = format!("/alerts?show=silences#silence-{silence}");
        view! {
            <p class="silenced" data-testid="silenced">
                "Muted by " <a href=href>{format!("silence #{silence}")}</a> ": not sent until it ends"
            </p>
        }
    });
    let muting = (open && responder && alert.silenced_by.is_none())
        .then(|| view! { <MuteForm id mute typing/> });
    let actions = (open && responder).then(|| {
        if alert.acknowledged_by.is_some() {
            view! {
                <button type="button" on:click=move |_| { unack.dispatch(UnackAlert { id }); }>
                    "Un-acknowledge"
                </button>
            }
            .into_any()
        } else {
            view! {
                <CommentForm input_id=format!("ack-comment-{id}") label="Comment"
                    placeholder="Comment (optional)" button="Acknowledge" primary=true typing
                    submit=move |comment| { ack.dispatch(AckAlert { id, comment }); }/>
            }
            .into_any()
        }
    });
    let service_href = format!(
        "/services/{}",
        crate::model::account::encode_query_value(&alert.service)
    );
    view! {
        <li class="alert-card" class:unacked=unacked data-alert=alert.id data-state=alert.state.as_str()>
            <div class="alert-head">
                <span class=format!("severity {}", alert.severity.as_str())>{alert.severity.as_str()}</span>
                <strong>{alert.rule.clone()}</strong>
                " on " <a href=service_href>{alert.service.clone()}</a>
            </div>
            <p class="muted">{since} " · value " {value} " (threshold " {threshold} ")"</p>
            {acknowledged}
            {silenced}
            {(!alert.impacted_by.is_empty()).then(|| view! {
                <p class="impacted-by" data-testid="impacted-by">
                    "Impacted by " {alert.impacted_by.join(", ")}
                </p>
            })}
            <p class="alert-links">
                <a href=alert.traces_href()>"Traces behind it"</a>
                " · " <a href=format!("/alerts/{id}")>"History"</a>
                {(!alert.runbook_url.is_empty()).then(|| view! {
                    " · " <a href=alert.runbook_url.clone() rel="noopener noreferrer" target="_blank">"Runbook"</a>
                })}
            </p>
            {actions}
            {(open && responder).then(|| view! {
                <button type="button" class="resolve" on:click=move |_| { resolve.dispatch(ResolveAlert { id }); }>
                    "Resolve by hand"
                </button>
            })}
            {muting}
        </li>
    }
}

/// "Mute until resolved", with the reason the silence needs.
#[component]
fn MuteForm(id: i64, mute: ServerAction<MuteAlert>, typing: RwSignal<bool>) -> impl IntoView {
    view! {
        <details class="mute">
            <summary>"Mute…"</summary>
            <CommentForm input_id=format!("mute-comment-{id}") label="Why mute it"
                placeholder="Why (required)" button="Mute until resolved" primary=false typing
                submit=move |comment| { mute.dispatch(MuteAlert { id, comment }); }/>
        </details>
    }
}

/// One line of text and a button, for an on-call action on an alert.
/// While someone types, `typing` holds the list still.
#[component]
fn CommentForm(
    input_id: String,
    label: &'static str,
    placeholder: &'static str,
    button: &'static str,
    primary: bool,
    typing: RwSignal<bool>,
    submit: impl Fn(String) + 'static,
) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    view! {
        <form class="ack-form" on:submit=move |ev| {
            ev.prevent_default();
            typing.set(false);
            submit(comment.get_untracked());
        }>
            <label for=input_id.clone() class="visually-hidden">{label}</label>
            <input id=input_id placeholder=placeholder maxlength="2000"
                prop:value=move || comment.get()
                on:focus=move |_| typing.set(true)
                on:blur=move |_| typing.set(!comment.get_untracked().is_empty())
                on:input=move |ev| comment.set(event_target_value(&ev))/>
            <button type="submit" class:primary=primary>{button}</button>
        </form>
    }
}
