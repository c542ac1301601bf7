//! `/health/:check`: one check in full. Its state and uptime, the latency
//! chart, the dependencies its health endpoint reports, the last error
//! word for word, every state change, the latest results; and edit,
//! pause and delete.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::REFRESH;
use super::form::CheckFormView;
use crate::chart_scale::format_duration_ns;
use crate::components::charts::{LineChart, Series};
use crate::components::{
    EmptyState, PageHeader, StateBadge, UptimeBarView, uptime_text, use_refresh_tick,
    use_time_range, utc_time,
};
use crate::model::check::{CheckSource, DependencyStatus, StoredResult};
use crate::model::check_input::{format_duration_ms, type_name};
use crate::model::role::Role;
use crate::pages::{range_subtitle, use_path_param};
use crate::rpc::checks::{CheckDetail, DeleteCheck, PauseCheck, fetch_check_detail};

#[component]
pub fn HealthCheckPage() -> impl IntoView {
    let id = use_path_param("check");
    let range = use_time_range();
    let tick = use_refresh_tick(REFRESH);
    // Editing holds the refresh, so new data never resets the form under
    // the cursor; an action (save, pause) asks for fresh data at once.
    let editing = RwSignal::new(false);
    let held_tick = Memo::new(move |previous: Option<&u32>| match previous {
        Some(previous) if editing.get() => *previous,
        _ => tick.get(),
    });
    let changed = RwSignal::new(0u32);
    let detail = Resource::new(
        move || {
            (
                id.get(),
                range.get().to_query_string(),
                held_tick.get(),
                changed.get(),
            )
        },
        |(id, window, _, _)| async move {
            match id.parse::<i64>() {
                Ok(id) => fetch_check_detail(id, window).await,
                Err(_) => Ok(None),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the check…"</p> }>
            {move || detail.get().map(|result| match result {
                Ok(Some(detail)) => view! { <CheckView detail editing changed/> }.into_any(),
                Ok(None) => view! {
                    <PageHeader title="No such health check"/>
                    <EmptyState title="No such health check"
                        explanation="This check is not registered (it may have been deleted). \
                                     Checks are listed on the Health page."/>
                }.into_any(),
                Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn CheckView(
    detail: CheckDetail,
    editing: RwSignal<bool>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let record = detail.record.clone();
    let spec = record.spec.clone();
    let title = spec.name.clone();
    let service_href = use_time_range().get_untracked().href_for(&format!(
        "/services/{}",
        crate::pages::services::encode_segment(&spec.service)
    ));
    let dependencies = record
        .last_result
        .as_ref()
        .map(|r| r.dependencies.clone())
        .unwrap_or_default();
    let version = record.last_result.as_ref().and_then(|r| r.version.clone());
    // File and demo checks are defined elsewhere; this says why not here.
    let read_only = record.editable().err();
    let defined_in = match record.source {
        CheckSource::File => "the checks file",
        CheckSource::Demo => "the demo fleet",
        CheckSource::Api | CheckSource::Ui => "Watchpost (UI or API)",
    };
    let labels = spec
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let form = detail.form.clone();
    let id = record.id;
    // A healthy check can still show its service degraded (a dependency
    // down): say so here, where people look for why.
    let service_note = match record.service_state() {
        (state, Some(cause)) if state != record.state && !spec.paused => Some(format!(
            "{} is shown as {} elsewhere: {cause}",
            spec.service,
            state.as_str()
        )),
        _ => None,
    };
    view! {
        <PageHeader title=title subtitle=range_subtitle("Health check")/>
        <div class="check-heading">
            <StateBadge state=record.state paused=spec.paused/>
            <span class="muted">" since "{utc_time(record.state_since_ms)}</span>
            <CheckActions id paused=spec.paused read_only editing changed/>
        </div>
        {service_note.map(|note| view! { <p class="reason warn" data-testid="service-note">{note}</p> })}
        <Show when=move || editing.get()>
            <CheckFormView initial=form.clone() id=Some(id) on_saved=Some(Callback::new(move |_| {
                editing.set(false);
                changed.update(|c| *c += 1);
            }))/>
        </Show>
        <dl class="span-facts check-facts">
            <dt>"Service"</dt><dd><A href=service_href>{spec.service.clone()}</A></dd>
            <dt>"Probe"</dt><dd>{type_name(spec.check_type)}" "<code>{spec.target.clone()}</code></dd>
            <dt>"Every"</dt><dd>{format_duration_ms(spec.interval_ms)}", timeout "{format_duration_ms(spec.timeout_ms)}</dd>
            <dt>"Thresholds"</dt><dd>{thresholds_text(spec.failure_threshold, spec.success_threshold)}</dd>
            <dt>"Defined in"</dt><dd>{defined_in}</dd>
            <dt>"Labels"</dt><dd>{if labels.is_empty() { "none".to_owned() } else { labels }}</dd>
            <dt>"Status page"</dt><dd>{if spec.public { "shown" } else { "not shown" }}</dd>
            {version.map(|v| view! { <dt>"Version"</dt><dd>{v}</dd> })}
        </dl>
        <Figures detail=detail.clone()/>
        <UptimeBarView bar=detail.bar.clone() label="Uptime over the window"/>
        <LatencyChart detail=detail.clone()/>
        <Dependencies dependencies/>
        <LastError failure=detail.last_failure.clone()/>
        <History detail/>
    }
}

/// Edit, pause or resume, and delete (asked twice). File and demo checks
/// can only be paused: their definition lives elsewhere (`read_only` says
/// where).
#[component]
fn CheckActions(
    id: i64,
    paused: bool,
    read_only: Option<&'static str>,
    editing: RwSignal<bool>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let pause = ServerAction::<PauseCheck>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = pause.value().get() {
            changed.update(|c| *c += 1);
        }
    });
    let delete = ServerAction::<DeleteCheck>::new();
    let confirming = RwSignal::new(false);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/health", Default::default());
        }
    });
    let failure = move || {
        let pause_error = pause.value().get().and_then(Result::err);
        let delete_error = delete.value().get().and_then(Result::err);
        pause_error.or(delete_error).map(|e| e.to_string())
    };
    let is_read_only = read_only.is_some();
    // Only what the signed-in role may do is offered; the server checks again.
    let admin = crate::auth::allowed(Role::Admin);
    let responder = crate::auth::allowed(Role::Responder);
    let edit = admin.then(|| {
        view! {
            <button type="button" disabled=is_read_only title=read_only
                on:click=move |_| editing.update(|e| *e = !*e)>
                {move || if editing.get() { "Cancel editing" } else { "Edit" }}
            </button>
        }
    });
    let pause_button = responder.then(|| {
        view! {
            <button type="button" data-testid="pause-check"
                on:click=move |_| { pause.dispatch(PauseCheck { id, paused: !paused }); }>
                {if paused { "Resume" } else { "Pause" }}
            </button>
        }
    });
    let delete_buttons = admin.then(|| {
        view! {
            <Show when=move || !confirming.get()>
                <button type="button" class="danger" disabled=is_read_only title=read_only
                    on:click=move |_| confirming.set(true)>"Delete"</button>
            </Show>
            <Show when=move || confirming.get()>
                <button type="button" class="danger" data-testid="confirm-delete"
                    on:click=move |_| { delete.dispatch(DeleteCheck { id }); }>"Delete for good"</button>
                <button type="button" on:click=move |_| confirming.set(false)>"Keep it"</button>
            </Show>
        }
    });
    view! {
        <div class="check-actions">
            {edit}
            {pause_button}
            {delete_buttons}
            {move || failure().map(|text| view! { <p class="error-banner">{text}</p> })}
        </div>
    }
}

#[component]
fn Figures(detail: CheckDetail) -> impl IntoView {
    let latency = |ms: Option<f64>| ms.map_or("–".to_owned(), |ms| format_duration_ns(ms * 1e6));
    let [p50, p95, p99] = detail.percentiles.map_or([None; 3], |p| p.map(Some));
    let [day, week, month] = detail.uptime;
    view! {
        <div class="figures" data-testid="check-figures">
            <div class="figure"><span class="figure-label">"Uptime 24 h"</span><span class="figure-value">{uptime_text(day)}</span></div>
            <div class="figure"><span class="figure-label">"Uptime 7 days"</span><span class="figure-value">{uptime_text(week)}</span></div>
            <div class="figure"><span class="figure-label">"Uptime 30 days"</span><span class="figure-value">{uptime_text(month)}</span></div>
            <div class="figure"><span class="figure-label">"p50 latency"</span><span class="figure-value">{latency(p50)}</span></div>
            <div class="figure"><span class="figure-label">"p95 latency"</span><span class="figure-value">{latency(p95)}</span></div>
            <div class="figure"><span class="figure-label">"p99 latency"</span><span class="figure-value">{latency(p99)}</span></div>
        </div>
    }
}

#[component]
fn LatencyChart(detail: CheckDetail) -> impl IntoView {
    let latency = detail.latency;
    let series = vec![
        Series {
            name: "mean".into(),
            class: "s-p50",
            values: latency.mean_ms,
        },
        Series {
            name: "worst".into(),
            class: "s-p99",
            values: latency.max_ms,
        },
    ];
    view! {
        <div class="charts">
            <LineChart title="Latency" times_ms=latency.times_ms step_ms=latency.step_ms series
                format=|ms| format_duration_ns(ms * 1e6)/>
        </div>
    }
}

/// The dependencies the last health-endpoint body reported.
#[component]
fn Dependencies(dependencies: Vec<DependencyStatus>) -> impl IntoView {
    let rows = dependencies
        .into_iter()
        .map(|d| {
            view! {
                <tr data-dependency=d.name.clone()>
                    <td>{d.name.clone()}</td>
                    <td><StateBadge state=d.state/></td>
                    <td class="muted">{d.detail.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    let empty = rows.is_empty();
    view! {
        <section data-testid="dependencies">
            <h2>"Dependencies"</h2>
            {if empty {
                view! { <p class="muted">"The last response reported no dependencies."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table compact">
                        <thead><tr><th>"Dependency"</th><th>"Status"</th><th>"As reported"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn LastError(failure: Option<StoredResult>) -> impl IntoView {
    view! {
        <section data-testid="last-error">
            <h2>"Last error"</h2>
            {match failure {
                None => view! { <p class="muted">"No failed result is on record."</p> }.into_any(),
                Some(result) => view! {
                    <p>
                        <StateBadge state=result.state/>
                        " at "{utc_time(result.at_ms)}
                        {result.http_status.map(|s| format!(", HTTP {s}"))}
                    </p>
                    <pre class="last-error">{result.reason.unwrap_or_else(|| "no reason given".to_owned())}</pre>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn History(detail: CheckDetail) -> impl IntoView {
    let events = detail
        .events
        .into_iter()
        .map(|event| {
            view! {
                <tr>
                    <td class="muted">{utc_time(event.at_ms)}</td>
                    <td><StateBadge state=event.from/>" → "<StateBadge state=event.to/></td>
                    <td>{event.reason.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    let results = detail
        .recent
        .into_iter()
        .map(|result| {
            view! {
                <tr>
                    <td class="muted">{utc_time(result.at_ms)}</td>
                    <td><StateBadge state=result.state/></td>
                    <td class="num">{format_duration_ns(result.latency_ms * 1e6)}</td>
                    <td class="num">{result.http_status.map(|s| s.to_string()).unwrap_or_default()}</td>
                    <td>{result.reason.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <section data-testid="state-changes">
            <h2>"State changes"</h2>
            <table class="data-table compact">
                <thead><tr><th>"When"</th><th>"Change"</th><th>"Why"</th></tr></thead>
                <tbody>{events}</tbody>
            </table>
        </section>
        <section data-testid="recent-results">
            <h2>"Latest results"</h2>
            <table class="data-table compact">
                <thead><tr><th>"When"</th><th>"Result"</th><th>"Latency"</th><th>"HTTP"</th><th>"Reason"</th></tr></thead>
                <tbody>{results}</tbody>
            </table>
        </section>
    }
}

/// "3 failures in a row turn it bad, 1 success turns it healthy".
fn thresholds_text(failures: u32, successes: u32) -> String {
    let plural = |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{} in a row to turn bad, {} to recover",
        plural(failures, "failure", "failures"),
        plural(successes, "success", "successes")
    )
}
