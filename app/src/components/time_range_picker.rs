use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::params::ParamsMap;

use crate::time_range::{
    CustomRangeError, Preset, RANGE_PARAMS, TimeRange, parse_custom_range, to_input_value,
};

const CUSTOM: &str = "custom";

/// The time range selector in the header. Choosing a range rewrites the URL
/// (keeping every other query parameter), which is what pages read.
#[component]
pub fn TimeRangePicker() -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let navigate = use_navigate();
    let range = super::use_time_range();
    let editing_custom = RwSignal::new(false);

    let go_to = move |next: TimeRange| {
        let mut params: ParamsMap = query.get_untracked();
        for key in RANGE_PARAMS {
            params.remove(key);
        }
        for (key, value) in next.query_pairs() {
            params.insert(key, value);
        }
        let url = format!(
            "{}{}",
            location.pathname.get_untracked(),
            params.to_query_string()
        );
        navigate(&url, NavigateOptions::default());
    };

    let on_preset = {
        let go_to = go_to.clone();
        move |ev| {
            let value = event_target_value(&ev);
            if value == CUSTOM {
                editing_custom.set(true);
            } else if let Some(preset) = Preset::from_key(&value) {
                editing_custom.set(false);
                go_to(TimeRange::Relative(preset));
            }
        }
    };
    let selected = move || match range.get() {
        TimeRange::Relative(preset) if !editing_custom.get() => preset.key(),
        _ => CUSTOM,
    };

    view! {
        <div class="time-range">
            <label class="visually-hidden" for="time-range-select">"Time range"</label>
            <select
                id="time-range-select"
                data-testid="time-range"
                prop:value=selected
                on:change=on_preset
            >
                {Preset::ALL
                    .into_iter()
                    .map(|preset| view! { <option value=preset.key()>{preset.label()}</option> })
                    .collect_view()}
                <option value=CUSTOM>{move || match range.get() {
                    TimeRange::Absolute { .. } => range.get().label(),
                    TimeRange::Relative(_) => "Custom range…".to_owned(),
                }}</option>
            </select>
            <Show when=move || editing_custom.get()>
                <CustomRangeForm
                    initial=range.get_untracked()
                    on_apply=go_to.clone()
                    on_cancel=move || editing_custom.set(false)
                />
            </Show>
        </div>
    }
}

/// Two date-time fields for a fixed window; problems appear next to the field.
#[component]
fn CustomRangeForm(
    initial: TimeRange,
    on_apply: impl Fn(TimeRange) + Clone + Send + Sync + 'static,
    on_cancel: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let (start, end) = initial.resolve(chrono::Utc::now());
    let from = RwSignal::new(to_input_value(start));
    let to = RwSignal::new(to_input_value(end));
    let from_error = RwSignal::new(None::<String>);
    let to_error = RwSignal::new(None::<String>);

    let submit = {
        let on_apply = on_apply.clone();
        let on_cancel = on_cancel.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            from_error.set(None);
            to_error.set(None);
            match parse_custom_range(&from.get_untracked(), &to.get_untracked()) {
                Ok(range) => {
                    on_apply(range);
                    on_cancel();
                }
                Err(CustomRangeError::From(message)) => from_error.set(Some(message)),
                Err(CustomRangeError::To(message)) => to_error.set(Some(message)),
            }
        }
    };

    view! {
        <form class="custom-range" data-testid="custom-range" on:submit=submit novalidate>
            <RangeField id="range-from" label="From (UTC)" value=from error=from_error/>
            <RangeField id="range-to" label="To (UTC)" value=to error=to_error/>
            <div class="custom-range-actions">
                <button type="submit" class="primary">"Apply"</button>
                <button type="button" on:click=move |_| on_cancel()>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
fn RangeField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:invalid=move || error.read().is_some()>
            <label for=id>{label}</label>
            <input
                id=id
                type="datetime-local"
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-describedby=error_id.clone()
                aria-invalid=move || error.read().is_some().to_string()
            />
            <p class="field-error" id=error_id role="alert">{move || error.get()}</p>
        </div>
    }
}
