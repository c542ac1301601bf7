//! `/alerts/:id`: one alert's history: every state change with the value
//! that caused it, and every notification with its attempts.

use std::time::Duration;

use leptos::prelude::*;

use crate::components::{PageHeader, use_refresh_tick};
use crate::model::alert::{AlertHistory, AlertTransition, DeliveryRecord};
use crate::pages::use_path_param;
use crate::rpc::alerts::alert_history;

const REFRESH: Duration = Duration::from_secs(5);

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[component]
pub fn AlertDetailPage() -> impl IntoView {
    let id = use_path_param("id");
    let tick = use_refresh_tick(REFRESH);
    let history = Resource::new(
        move || (id.get(), tick.get()),
        |(id, _)| async move {
            match id.parse::<i64>() {
                Ok(id) => alert_history(id).await,
                Err(_) => Err(crate::error::AppError::NotFound("alert".to_owned())),
            }
        },
    );
    let title = Signal::derive(move || format!("Alert #{}", id.get()));
    view! {
        <PageHeader title subtitle=Signal::derive(|| "History and notifications".to_owned())/>
        <p><a href="/alerts">"← All alerts"</a></p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || history.get().map(|result| match result {
                Ok(history) => view! { <HistoryBody history/> }.into_any(),
                Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn HistoryBody(history: AlertHistory) -> impl IntoView {
    let alert = history.alert;
    let value_text = {
        let alert = alert.clone();
        move |value: Option<f64>| value.map(|v| alert.value_text(v)).unwrap_or_default()
    };
    let service_href = format!(
        "/services/{}",
        crate::model::account::encode_query_value(&alert.service)
    );
    let transitions = history
        .transitions
        .into_iter()
        .map(|t: AlertTransition| {
            let from = t.from_state.clone().unwrap_or_else(|| "opened".to_owned());
            view! {
                <li data-to=t.to_state.clone()>
                    <time>{when(t.at)}</time> " · " {from} " → " <strong>{t.to_state.clone()}</strong>
                    " · value " {value_text(t.value)}
                    {(!t.note.is_empty()).then(|| view! { " · " <span class="muted">{t.note.clone()}</span> })}
                </li>
            }
        })
        .collect_view();
    let deliveries = history.deliveries;
    let no_deliveries = deliveries.is_empty();
    view! {
        <section class="alert-card" data-alert=alert.id data-state=alert.state.as_str()>
            <div class="alert-head">
                <span class=format!("severity {}", alert.severity.as_str())>{alert.severity.as_str()}</span>
                <strong>{alert.rule.clone()}</strong>
                " on " <a href=service_href>{alert.service.clone()}</a>
                " · " {alert.state.as_str()}
            </div>
            <p class="muted">"Threshold " {alert.value_text(alert.threshold)}
                {alert.value.map(|v| format!(" · last value {}", alert.value_text(v)))}</p>
            {alert.acknowledged_by.clone().map(|by| view! {
                <p class="ack">"Acknowledged by " <strong>{by}</strong>
                    {alert.acknowledged_at.map(|at| format!(" at {}", when(at)))}
                    {alert.ack_comment.clone().map(|c| view! { ": " <q>{c}</q> })}
                </p>
            })}
            {(!alert.impacted_by.is_empty()).then(|| view! {
                <p class="impacted-by">"Impacted by " {alert.impacted_by.join(", ")}</p>
            })}
            <p class="alert-links"><a href=alert.traces_href()>"Traces behind it"</a></p>
        </section>
        <h3>"Timeline"</h3>
        <ol class="timeline" data-testid="timeline">{transitions}</ol>
        <h3>"Notifications"</h3>
        {if no_deliveries {
            view! { <p class="muted">"None sent: no notification target, or it was muted."</p> }.into_any()
        } else {
            view! { <DeliveryTable deliveries/> }.into_any()
        }}
    }
}

#[component]
fn DeliveryTable(deliveries: Vec<DeliveryRecord>) -> impl IntoView {
    let rows = deliveries
        .into_iter()
        .map(|d| {
            let outcome = match (d.delivered_at, d.given_up_at) {
                (Some(at), _) => format!("delivered {}", when(at)),
                (None, Some(at)) => format!("given up {}", when(at)),
                (None, None) => "retrying".to_owned(),
            };
            view! {
                <tr>
                    <td>{when(d.created_at)}</td>
                    <td>{d.event.clone()}</td>
                    <td>{d.target.clone()}</td>
                    <td class="num">{d.attempts}</td>
                    <td>{d.last_status.map(|s| s.to_string()).unwrap_or_default()}</td>
                    <td>{outcome}</td>
                    <td>{d.last_error.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="deliveries">
            <thead><tr>
                <th>"Queued"</th><th>"Event"</th><th>"Target"</th><th>"Attempts"</th>
                <th>"Status"</th><th>"Outcome"</th><th>"Last error"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
