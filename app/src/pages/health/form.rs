//! The check form, for a new check (`/health/new`) and for editing one on
//! its page. The browser validates with the same rules as the server
//! before sending; whatever the server still refuses (a taken name, say)
//! comes back as messages next to the same fields.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::PageHeader;
use crate::error::AppError;
use crate::model::check_form::CheckForm;
use crate::rpc::checks::SaveCheck;
use crate::search_form::FieldError;

/// `/health/new`, prefilled from `?service=…&url=…` when a suggestion
/// led here.
#[component]
pub fn NewCheckPage() -> impl IntoView {
    let query = use_query_map();
    let mut form = CheckForm::default();
    query.with_untracked(|query| {
        if let Some(service) = query.get("service") {
            form.name = format!("{service} health");
            form.service = service;
        }
        if let Some(url) = query.get("url") {
            form.target = url;
        }
    });
    view! {
        <PageHeader title="Add a health check" subtitle=Signal::derive(|| {
            "Probed on its interval from the moment it is saved".to_owned()
        })/>
        <CheckFormView initial=form id=None on_saved=None/>
    }
}

/// The message for `field`, or "" (the element hides itself when empty).
fn message(errors: RwSignal<Vec<FieldError>>, field: &'static str) -> impl Fn() -> String {
    move || {
        errors.with(|errors| {
            let messages = errors.iter().filter(|e| e.field == field);
            messages
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

/// One labelled input (or text area) bound to a field of the form, with
/// its message underneath.
#[component]
fn Field(
    form: RwSignal<CheckForm>,
    errors: RwSignal<Vec<FieldError>>,
    /// The field's name in validation messages.
    field: &'static str,
    label: &'static str,
    get: fn(&CheckForm) -> &String,
    set: fn(&mut CheckForm) -> &mut String,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] multiline: bool,
) -> impl IntoView {
    let id = format!("check-{field}");
    let error_id = format!("check-{field}-error");
    let value = Memo::new(move |_| form.with(|f| get(f).clone()));
    let invalid = move || errors.with(|e| e.iter().any(|e| e.field == field));
    let on_input = move |ev| form.update(|f| *set(f) = event_target_value(&ev));
    let input = if multiline {
        view! {
            <textarea id=id.clone() name=field rows="3" placeholder=placeholder
                aria-describedby=error_id.clone() prop:value=move || value.get()
                on:input=on_input></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() name=field placeholder=placeholder
                aria-describedby=error_id.clone() prop:value=move || value.get()
                on:input=on_input/>
        }
        .into_any()
    };
    view! {
        <div class="field" class:invalid=invalid class:wide=multiline>
            <label for=id>{label}</label>
            {input}
            {(!hint.is_empty()).then(|| view! { <p class="hint">{hint}</p> })}
            <p class="field-error" id=error_id data-testid=format!("error-{field}")>{message(errors, field)}</p>
        </div>
    }
}

/// The form; `id` None creates a check, Some replaces that check's
/// settings. After a save, `on_saved` runs, or without it the browser goes
/// to the check's page.
#[component]
pub fn CheckFormView(
    initial: CheckForm,
    id: Option<i64>,
    on_saved: Option<Callback<i64>>,
) -> impl IntoView {
    let form = RwSignal::new(initial);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let save = ServerAction::<SaveCheck>::new();
    let navigate = use_navigate();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(saved)) => match on_saved {
            Some(on_saved) => on_saved.run(saved),
            None => navigate(&format!("/health/{saved}"), Default::default()),
        },
        Some(Err(AppError::InvalidInput(refused))) => errors.set(refused),
        Some(Err(other)) => failure.set(Some(other.to_string())),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        let current = form.get_untracked();
        match current.validate() {
            Err(refused) => errors.set(refused),
            Ok(_) => {
                errors.set(Vec::new());
                save.dispatch(SaveCheck { id, form: current });
            }
        }
    };
    let is_http = Memo::new(move |_| form.with(|f| f.check_type.eq_ignore_ascii_case("http")));
    let target_label = move || {
        if is_http.get() {
            "URL"
        } else {
            "Target (host:port)"
        }
    };
    let submit_label = if id.is_some() {
        "Save changes"
    } else {
        "Add check"
    };
    view! {
        <form class="check-form" data-testid="check-form" on:submit=on_submit novalidate>
            <Field form errors field="name" label="Name" get=|f| &f.name set=|f| &mut f.name
                placeholder="orders health"/>
            <Field form errors field="service" label="Service" get=|f| &f.service
                set=|f| &mut f.service placeholder="orders"/>
            <div class="field" class:invalid=move || errors.with(|e| e.iter().any(|e| e.field == "check_type"))>
                <label for="check-type">"Type"</label>
                <select id="check-type" name="check_type"
                    on:change=move |ev| form.update(|f| f.check_type = event_target_value(&ev))>
                    {["http", "tcp", "grpc"].into_iter().map(|kind| view! {
                        <option value=kind selected=move || form.with(|f| f.check_type == kind)>{kind}</option>
                    }).collect_view()}
                </select>
                <p class="field-error" data-testid="error-check_type">{message(errors, "check_type")}</p>
            </div>
            <div class="field wide" class:invalid=move || errors.with(|e| e.iter().any(|e| e.field == "target"))>
                <label for="check-target">{target_label}</label>
                <input id="check-target" name="target" aria-describedby="check-target-error"
                    placeholder=move || if is_http.get() { "https://orders:8080/health" } else { "orders:9000" }
                    prop:value=move || form.with(|f| f.target.clone())
                    on:input=move |ev| form.update(|f| f.target = event_target_value(&ev))/>
                <p class="field-error" id="check-target-error" data-testid="error-target">{message(errors, "target")}</p>
            </div>
            <Field form errors field="interval" label="Interval" get=|f| &f.interval
                set=|f| &mut f.interval placeholder="10s" hint="at least 1s"/>
            <Field form errors field="timeout" label="Timeout" get=|f| &f.timeout
                set=|f| &mut f.timeout placeholder="5s" hint="at most the interval"/>
            <Field form errors field="failure_threshold" label="Failures before unhealthy"
                get=|f| &f.failure_threshold set=|f| &mut f.failure_threshold/>
            <Field form errors field="success_threshold" label="Successes before healthy"
                get=|f| &f.success_threshold set=|f| &mut f.success_threshold/>
            <Show when=move || is_http.get()>
                <Field form errors field="method" label="Method" get=|f| &f.method
                    set=|f| &mut f.method placeholder="GET"/>
                <Field form errors field="expected_status" label="Expected status"
                    get=|f| &f.expected_status set=|f| &mut f.expected_status
                    placeholder="2xx" hint="codes and ranges: 200, 2xx, 300-302"/>
                <Field form errors field="headers" label="Headers" get=|f| &f.headers
                    set=|f| &mut f.headers multiline=true placeholder="Authorization: Bearer …"
                    hint="one Name: value a line"/>
                <Field form errors field="conditions" label="Conditions" get=|f| &f.conditions
                    set=|f| &mut f.conditions multiline=true
                    placeholder="$.status == healthy\nresponse_time < 500ms"
                    hint="one a line: $.path == value, $.path contains text, body contains text, response_time < 500ms"/>
            </Show>
            <Field form errors field="labels" label="Labels" get=|f| &f.labels
                set=|f| &mut f.labels multiline=true placeholder="team=payments"
                hint="one key=value a line"/>
            <div class="field checkboxes wide">
                <label>
                    <input type="checkbox" name="paused" prop:checked=move || form.with(|f| f.paused)
                        on:change=move |ev| form.update(|f| f.paused = event_target_checked(&ev))/>
                    " Paused"
                </label>
                <label>
                    <input type="checkbox" name="public" data-testid="check-public"
                        prop:checked=move || form.with(|f| f.public)
                        on:change=move |ev| form.update(|f| f.public = event_target_checked(&ev))/>
                    " Show on the public status page (its name, state and uptime only)"
                </label>
            </div>
            {move || failure.get().map(|text| view! { <p class="error-banner wide">{text}</p> })}
            <div class="field actions wide">
                <button type="submit" class="primary" disabled=move || save.pending().get()>{submit_label}</button>
            </div>
        </form>
    }
}
