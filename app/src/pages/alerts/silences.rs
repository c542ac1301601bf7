//! The Silences tab of `/alerts`: what is muted and until when, a form for
//! a new silence or weekly maintenance window, and the reminder banner the
//! Open tab shows before a silence ends.

use leptos::prelude::*;

use crate::components::{field_message, refusal_errors};
use crate::model::role::Role;
use crate::model::silence::{Silence, SilenceState, WEEKDAYS};
use crate::model::silence_form::{SilenceForm, form_field};
use crate::rpc::silences::{CreateSilence, ExpireSilence, silences_list};
use crate::search_form::FieldError;

/// Minutes before its end a silence is called out.
const REMINDER_MINUTES: i64 = 15;

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// On the Open tab: silences about to end, so nobody is surprised when
/// their alerts page again.
#[component]
pub fn EndingSilences(tick: RwSignal<u32>) -> impl IntoView {
    let silences = Resource::new(move || tick.get(), |_| silences_list());
    view! {
        <Transition fallback=|| ()>
            {move || silences.get().and_then(Result::ok).map(|silences| {
                let now = chrono::Utc::now();
                silences.into_iter().filter_map(|s| {
                    let left = s.ends_within(now, REMINDER_MINUTES)?;
                    let href = format!("/alerts?show=silences#silence-{}", s.id);
                    Some(view! {
                        <p class="warning-banner" data-testid="silence-ending">
                            "The silence " <code>{s.matchers_text()}</code> " ends in "
                            {left.max(1)} " min. " <a href=href>"See silences"</a>
                        </p>
                    })
                }).collect_view()
            })}
        </Transition>
    }
}

#[component]
pub fn SilencesPanel(tick: RwSignal<u32>) -> impl IntoView {
    let create = ServerAction::<CreateSilence>::new();
    let expire = ServerAction::<ExpireSilence>::new();
    let silences = Resource::new(
        move || (tick.get(), create.version().get(), expire.version().get()),
        |_| silences_list(),
    );
    let responder = crate::auth::allowed(Role::Responder);
    let failure = move || {
        expire
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        {responder.then(|| view! { <NewSilence create/> })}
        {move || failure().map(|text| view! { <p class="error-banner">{text}</p> })}
        <h3>"Current silences"</h3>
        <Transition fallback=|| view! { <p class="muted">"Loading silences…"</p> }>
            {move || silences.get().map(|result| match result {
                Ok(list) if list.is_empty() => view! {
                    <p class="muted" data-testid="no-silences">"Nothing is muted."</p>
                }.into_any(),
                Ok(list) => view! {
                    <ul class="silence-list" data-testid="silences">
                        {list.into_iter().map(|silence| view! { <SilenceCard silence expire responder/> }).collect_view()}
                    </ul>
                }.into_any(),
                Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn SilenceCard(
    silence: Silence,
    expire: ServerAction<ExpireSilence>,
    responder: bool,
) -> impl IntoView {
    let id = silence.id;
    let span = match (&silence.recurrence, silence.ends_at, silence.alert_id) {
        (Some(recurrence), ends, _) => format!(
            "every {}{}",
            recurrence.text(),
            ends.map(|e| format!(", until {}", when(e)))
                .unwrap_or_default()
        ),
        (None, Some(ends), _) => format!("{} → {}", when(silence.starts_at), when(ends)),
        (None, None, Some(alert)) => format!("until alert #{alert} resolves"),
        (None, None, None) => String::new(),
    };
    let ending = silence
        .ends_within(chrono::Utc::now(), REMINDER_MINUTES)
        .is_some();
    let state = silence.state;
    view! {
        <li class="silence-card" class:ending=ending id=format!("silence-{id}") data-silence=id
            data-state=state.as_str()>
            <div class="alert-head">
                <span class=format!("badge {}", state.as_str())>{state.as_str()}</span>
                <code>{silence.matchers_text()}</code>
            </div>
            <p class="muted">{span} " · by " {silence.created_by.clone()} " · muting " {silence.muting}</p>
            <p><q>{silence.comment.clone()}</q></p>
            {(responder && state != SilenceState::Expired).then(|| view! {
                <button type="button" on:click=move |_| { expire.dispatch(ExpireSilence { id }); }>
                    "Expire now"
                </button>
            })}
        </li>
    }
}

/// A one-off silence, or with weekdays ticked a weekly maintenance window.
#[component]
fn NewSilence(create: ServerAction<CreateSilence>) -> impl IntoView {
    let form = RwSignal::new(SilenceForm {
        duration: "2h".to_owned(),
        start: "02:00".to_owned(),
        timezone: "UTC".to_owned(),
        ..SilenceForm::default()
    });
    let recurring = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    // Each refusal next to the form field it is about.
    let show = move |refused: Vec<FieldError>| {
        errors.set(
            refused
                .into_iter()
                .map(|e| FieldError {
                    field: form_field(&e.field).to_owned(),
                    message: e.message,
                })
                .collect(),
        )
    };
    Effect::new(move |_| match create.value().get() {
        Some(Ok(_)) => {
            errors.set(Vec::new());
            form.update(|f| {
                f.matchers.clear();
                f.comment.clear();
            });
        }
        Some(Err(error)) => show(refusal_errors(error, "comment")),
        None => {}
    });
    let message = move |field: &'static str| field_message(errors, field);
    let text_field = move |field: &'static str, label: &'static str, hint: &'static str| {
        let id = format!("silence-{field}");
        let read = move |f: &SilenceForm| match field {
            "matchers" => f.matchers.clone(),
            "duration" => f.duration.clone(),
            "comment" => f.comment.clone(),
            "start" => f.start.clone(),
            _ => f.timezone.clone(),
        };
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id type="text" autocomplete="off" placeholder=hint
                    prop:value=move || form.with(read)
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        form.update(|f| match field {
                            "matchers" => f.matchers = value,
                            "duration" => f.duration = value,
                            "comment" => f.comment = value,
                            "start" => f.start = value,
                            _ => f.timezone = value,
                        });
                    }/>
                <p class="field-error" data-testid=format!("error-silence-{field}")>{message(field)}</p>
            </div>
        }
    };
    let toggle_day = move |day: &'static str, on: bool| {
        form.update(|f| {
            let mut days: Vec<String> = f
                .weekdays
                .split(',')
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty() && d != day)
                .collect();
            if on {
                days.push(day.to_owned());
            }
            f.weekdays = days.join(",");
        });
    };
    view! {
        <h3>"New silence"</h3>
        <form class="silence-form" on:submit=move |ev| {
            ev.prevent_default();
            let mut typed = form.get_untracked();
            if !recurring.get_untracked() {
                typed.weekdays.clear();
            }
            // Checked here first, as the server will: a refusal shows at
            // once, next to its field, without a round trip.
            let checked = typed
                .to_input()
                .and_then(|input| input.validate(chrono::Utc::now()).map(|_| ()));
            match checked {
                Ok(()) => {
                    errors.set(Vec::new());
                    create.dispatch(CreateSilence { form: typed });
                }
                Err(refused) => show(refused),
            }
        }>
            {text_field("matchers", "Matchers", "service=payments, severity=critical")}
            {text_field("duration", "Duration", "2h")}
            {text_field("comment", "Why", "deploying the new card processor")}
            <div class="field">
                <label>
                    <input type="checkbox" prop:checked=move || recurring.get()
                        on:change=move |ev| recurring.set(event_target_checked(&ev))/>
                    " Repeats weekly (a maintenance window)"
                </label>
            </div>
            <Show when=move || recurring.get()>
                <fieldset class="field weekdays">
                    <legend>"Days"</legend>
                    {WEEKDAYS.into_iter().map(|day| view! {
                        <label>
                            <input type="checkbox" on:change=move |ev| toggle_day(day, event_target_checked(&ev))/>
                            " " {day}
                        </label>
                    }).collect_view()}
                    <p class="field-error" data-testid="error-silence-weekdays">{message("weekdays")}</p>
                </fieldset>
                {text_field("start", "Starts at (local time)", "02:00")}
                {text_field("timezone", "Time zone", "Europe/Berlin")}
            </Show>
            <button type="submit" class="primary">"Silence"</button>
        </form>
    }
}
