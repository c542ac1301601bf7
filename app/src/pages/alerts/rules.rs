//! `/rules`: the alert rules, and for admins a form to create or edit one
//! with a preview of how it would have behaved over the last hours. Each
//! refused field says why next to itself.

use leptos::prelude::*;

use crate::components::{PageHeader, field_message, refusal_errors};
use crate::model::alert::{AlertRule, RuleKind};
use crate::model::role::Role;
use crate::model::rule_form::{RuleForm, statistics, threshold_hint};
use crate::model::rule_preview::{PreviewSeries, RulePreview};
use crate::rpc::rules::{DeleteRule, PreviewRule, SaveRule, rules_list};
use crate::search_form::FieldError;

#[component]
pub fn RulesPage() -> impl IntoView {
    let save = ServerAction::<SaveRule>::new();
    let delete = ServerAction::<DeleteRule>::new();
    let data = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| rules_list(),
    );
    // The rule being edited (None: a new one), when the form is open.
    let editing = RwSignal::new(None::<(Option<i64>, RuleForm)>);
    let admin = crate::auth::allowed(Role::Admin);
    let failure = move || {
        delete
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <PageHeader title="Alert rules" subtitle=Signal::derive(|| "What pages the on-call engineer".to_owned())/>
        <nav class="tabs" aria-label="Alerts">
            <a href="/alerts" class="tab">"Open"</a>
            <a href="/alerts?show=silences" class="tab">"Silences"</a>
            <a href="/rules" class="tab active">"Rules"</a>
        </nav>
        {move || failure().map(|text| view! { <p class="error-banner">{text}</p> })}
        {admin.then(|| view! {
            <button type="button" class="primary" on:click=move |_| editing.set(Some((None, RuleForm::default())))>
                "New rule"
            </button>
        })}
        {move || editing.get().map(|(id, form)| {
            let targets = data.get().and_then(Result::ok).map(|d| d.targets).unwrap_or_default();
            view! { <RuleEditor id form targets save editing/> }
        })}
        <Transition fallback=|| view! { <p class="muted">"Loading rules…"</p> }>
            {move || data.get().map(|result| match result {
                Ok(data) => view! { <RuleTable rules=data.rules admin editing delete/> }.into_any(),
                Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

fn duration_text(secs: i32) -> String {
    crate::model::check_input::format_duration_ms(u64::try_from(secs).unwrap_or(0) * 1000)
}

fn what(rule: &AlertRule) -> String {
    let measured = match rule.kind {
        RuleKind::Metric => format!("metric {}", rule.statistic),
        _ if rule.statistic.is_empty() => rule.kind.as_str().replace('_', " "),
        _ => format!(
            "{} {}",
            rule.kind.as_str().replace('_', " "),
            rule.statistic
        ),
    };
    let of = if rule.operation.is_empty() {
        String::new()
    } else {
        format!(" of {}", rule.operation)
    };
    format!(
        "{measured}{of} {} {}",
        rule.comparison.as_str(),
        rule.threshold
    )
}

#[component]
fn RuleTable(
    rules: Vec<AlertRule>,
    admin: bool,
    editing: RwSignal<Option<(Option<i64>, RuleForm)>>,
    delete: ServerAction<DeleteRule>,
) -> impl IntoView {
    let rows = rules
        .into_iter()
        .map(|rule| {
            let id = rule.id;
            let form = RuleForm::from_rule(&rule);
            let services = if rule.services.is_empty() {
                "every service".to_owned()
            } else {
                rule.services.join(", ")
            };
            let notify = if rule.notify.is_empty() {
                "every target".to_owned()
            } else {
                rule.notify.join(", ")
            };
            let timing = if rule.for_secs > 0 {
                format!("{} window, for {}", duration_text(rule.window_secs), duration_text(rule.for_secs))
            } else {
                format!("{} window", duration_text(rule.window_secs))
            };
            view! {
                <tr data-rule=rule.name.clone() class:muted=!rule.enabled>
                    <td>{rule.name.clone()} {rule.builtin.then_some(" (built in)")}</td>
                    <td><code>{what(&rule)}</code></td>
                    <td>{services}</td>
                    <td>{timing}</td>
                    <td><span class=format!("severity {}", rule.severity.as_str())>{rule.severity.as_str()}</span></td>
                    <td>{notify}</td>
                    <td>{if rule.enabled { "on" } else { "off" }}</td>
                    <td>
                        {admin.then(|| view! {
                            <button type="button" on:click=move |_| editing.set(Some((Some(id), form.clone())))>"Edit"</button>
                        })}
                        {(admin && !rule.builtin).then(|| view! {
                            <button type="button" on:click=move |_| { delete.dispatch(DeleteRule { id }); }>"Delete"</button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid="rules">
            <thead><tr>
                <th>"Name"</th><th>"Condition"</th><th>"Services"</th><th>"Timing"</th>
                <th>"Severity"</th><th>"Notifies"</th><th>"Enabled"</th><th></th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Text fields of the form, by name.
fn field_value(form: &RuleForm, field: &str) -> String {
    match field {
        "name" => form.name.clone(),
        "statistic" => form.statistic.clone(),
        "services" => form.services.clone(),
        "operation" => form.operation.clone(),
        "threshold" => form.threshold.clone(),
        "window" => form.window.clone(),
        "for" => form.r#for.clone(),
        "labels" => form.labels.clone(),
        "runbook_url" => form.runbook_url.clone(),
        _ => form.notify.clone(),
    }
}

fn set_field(form: &mut RuleForm, field: &str, value: String) {
    match field {
        "name" => form.name = value,
        "kind" => {
            form.statistic = statistics(&value).first().copied().unwrap_or("").to_owned();
            form.kind = value;
        }
        "statistic" => form.statistic = value,
        "services" => form.services = value,
        "operation" => form.operation = value,
        "comparison" => form.comparison = value,
        "threshold" => form.threshold = value,
        "window" => form.window = value,
        "for" => form.r#for = value,
        "severity" => form.severity = value,
        "labels" => form.labels = value,
        "runbook_url" => form.runbook_url = value,
        _ => form.notify = value,
    }
}

#[component]
fn RuleEditor(
    id: Option<i64>,
    form: RuleForm,
    targets: Vec<String>,
    save: ServerAction<SaveRule>,
    editing: RwSignal<Option<(Option<i64>, RuleForm)>>,
) -> impl IntoView {
    let form = RwSignal::new(form);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let preview = ServerAction::<PreviewRule>::new();
    let refused = move |result: Option<Result<(), crate::error::AppError>>| {
        if let Some(Err(error)) = result {
            errors.set(refusal_errors(error, "name"));
        }
    };
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => editing.set(None),
        other => refused(other.map(|r| r.map(|_| ()))),
    });
    Effect::new(move |_| refused(preview.value().get().map(|r| r.map(|_| ()))));
    // Checked here first, as the server will: a refusal shows at once.
    let checked = move || {
        let typed = form.get_untracked();
        match typed
            .to_input()
            .and_then(|input| input.validate().map(|_| ()))
        {
            Ok(()) => {
                errors.set(Vec::new());
                Some(typed)
            }
            Err(fields) => {
                errors.set(fields);
                None
            }
        }
    };
    let message = move |field: &'static str| field_message(errors, field);
    let text_field = move |field: &'static str, label: &'static str, hint: &'static str| {
        let input_id = format!("rule-{field}");
        view! {
            <div class="field">
                <label for=input_id.clone()>{label}</label>
                <input id=input_id type="text" autocomplete="off" placeholder=hint
                    prop:value=move || form.with(|f| field_value(f, field))
                    on:input=move |ev| form.update(|f| set_field(f, field, event_target_value(&ev)))/>
                <p class="field-error" data-testid=format!("error-rule-{field}")>{message(field)}</p>
            </div>
        }
    };
    let select = move |field: &'static str, label: &'static str, options: Vec<&'static str>| {
        let input_id = format!("rule-{field}");
        view! {
            <div class="field">
                <label for=input_id.clone()>{label}</label>
                <select id=input_id on:change=move |ev| form.update(|f| set_field(f, field, event_target_value(&ev)))>
                    {options.into_iter().map(|option| view! {
                        <option value=option selected=move || form.with(|f| match field {
                            "kind" => f.kind == option,
                            "comparison" => f.comparison == option,
                            _ => f.severity == option,
                        })>{option}</option>
                    }).collect_view()}
                </select>
                <p class="field-error" data-testid=format!("error-rule-{field}")>{message(field)}</p>
            </div>
        }
    };
    let kinds: Vec<&'static str> = RuleKind::ALL.iter().map(|k| k.as_str()).collect();
    let targets_hint = if targets.is_empty() {
        "no targets yet".to_owned()
    } else {
        format!("of {}", targets.join(", "))
    };
    view! {
        <form class="rule-form" data-testid="rule-form" on:submit=move |ev| {
            ev.prevent_default();
            if let Some(typed) = checked() {
                save.dispatch(SaveRule { id, form: typed });
            }
        }>
            <h3>{if id.is_some() { "Edit rule" } else { "New rule" }}</h3>
            {text_field("name", "Name", "Checkout slow")}
            {select("kind", "Measures", kinds)}
            {text_field("statistic", "Statistic", "p95, utilization, or a metric's name")}
            {select("comparison", "Comparison", vec![">", ">=", "<", "<="])}
            {text_field("threshold", "Threshold", "0.05")}
            <p class="muted hint">{move || threshold_hint(&form.with(|f| f.kind.clone()))}</p>
            {text_field("window", "Window", "5m")}
            {text_field("for", "Pending for", "1m, or nothing to fire at once")}
            {select("severity", "Severity", vec!["warning", "critical"])}
            {text_field("services", "Services", "empty: every service")}
            {text_field("operation", "Operation", "error rate and latency: one span name, like POST /pay")}
            {text_field("labels", "Labels", "team=payments, tier=1")}
            {text_field("runbook_url", "Runbook", "https://wiki.example/runbooks/checkout")}
            <div class="field">
                <label for="rule-notify">"Notify"</label>
                <input id="rule-notify" type="text" autocomplete="off" placeholder=format!("empty: every target; {targets_hint}")
                    prop:value=move || form.with(|f| f.notify.clone())
                    on:input=move |ev| form.update(|f| f.notify = event_target_value(&ev))/>
                <p class="field-error" data-testid="error-rule-notify">{message("notify")}</p>
            </div>
            <div class="field">
                <label>
                    <input type="checkbox" prop:checked=move || form.with(|f| f.enabled)
                        on:change=move |ev| form.update(|f| f.enabled = event_target_checked(&ev))/>
                    " Enabled"
                </label>
            </div>
            <div class="form-actions">
                <button type="button" on:click=move |_| {
                    if let Some(typed) = checked() {
                        preview.dispatch(PreviewRule { form: typed });
                    }
                }>"Preview last 6 hours"</button>
                <button type="submit" class="primary">"Save rule"</button>
                <button type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
            </div>
            {move || preview.pending().get().then(|| view! { <p class="muted">"Replaying the rule…"</p> })}
            {move || preview.value().get().and_then(Result::ok).map(|preview| view! { <PreviewView preview/> })}
        </form>
    }
}

#[component]
fn PreviewView(preview: RulePreview) -> impl IntoView {
    let summary = preview.summary();
    let rows = preview
        .series
        .into_iter()
        .map(|series| view! { <PreviewRow series/> })
        .collect_view();
    view! {
        <section class="rule-preview" data-testid="rule-preview">
            <p><strong>{summary}</strong></p>
            {preview.note.map(|note| view! { <p class="muted">{note}</p> })}
            <table class="data-table">
                <thead><tr><th>"Service"</th><th>"Value over 6 h"</th><th>"Would have fired"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

#[component]
fn PreviewRow(series: PreviewSeries) -> impl IntoView {
    let hhmm = |at: chrono::DateTime<chrono::Utc>| at.format("%H:%M").to_string();
    let fired: Vec<String> = series
        .episodes
        .iter()
        .filter(|e| e.fired())
        .map(|e| {
            let start = e.firing_at.map(hhmm).unwrap_or_default();
            let end = e.resolved_at.map(hhmm).unwrap_or_else(|| "now".to_owned());
            format!("{start}–{end}")
        })
        .collect();
    let fired = if fired.is_empty() {
        "no".to_owned()
    } else {
        format!("{} UTC", fired.join(", "))
    };
    view! {
        <tr data-service=series.service.clone()>
            <td>{series.service.clone()}</td>
            <td><Sparkline values=series.values/></td>
            <td>{fired}</td>
        </tr>
    }
}

/// The value over the preview, as a line; gaps where there was no data.
#[component]
fn Sparkline(values: Vec<Option<f64>>) -> impl IntoView {
    const WIDTH: f64 = 240.0;
    const HEIGHT: f64 = 28.0;
    let top = values.iter().flatten().copied().fold(0.0_f64, f64::max);
    let scale = if top > 0.0 { HEIGHT / top } else { 0.0 };
    let dx = WIDTH / (values.len().max(2) - 1) as f64;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", i as f64 * dx, HEIGHT - v * scale)))
        .collect();
    view! {
        <svg class="sparkline" width=WIDTH height=HEIGHT viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            role="img" aria-label="the rule's value over the preview">
            <polyline points=points.join(" ") fill="none" stroke="currentColor"/>
        </svg>
    }
}
