use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::range_subtitle;
use super::service::TraceList;
use crate::components::charts::{ScatterPlot, ScatterPoint};
use crate::components::{EmptyState, PageHeader, SendDataHelp, use_time_range};
use crate::rpc::services::{operation_names, service_names};
use crate::rpc::traces::{SearchResults, search_traces};
use crate::search_form::{DEFAULT_LIMIT, FieldError, SearchForm};

/// Trace search by service, operation, tags and duration. The form is a
/// plain GET form: the URL is the search, so results are a shareable link.
#[component]
pub fn TracesPage() -> impl IntoView {
    let query = use_query_map();
    let range = use_time_range();
    let form = Memo::new(move |_| SearchForm::from_query(|key| query.read().get(key)));
    let errors = Memo::new(move |_| form.get().validate().err().unwrap_or_default());
    let results = Resource::new(
        move || (form.get(), range.get().to_query_string()),
        |(form, window)| async move {
            // Invalid input never reaches the server; the messages say why.
            if form.validate().is_err() {
                return None;
            }
            Some(search_traces(form, window).await)
        },
    );
    view! {
        <PageHeader title="Traces" subtitle=range_subtitle("Search traces")/>
        <SearchFormView form=form.get_untracked() errors/>
        <Transition fallback=|| view! { <p class="muted">"Searching…"</p> }>
            {move || results.get().flatten().map(|result| match result {
                Ok(results) => view! { <Results results/> }.into_any(),
                Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Results(results: SearchResults) -> impl IntoView {
    if results.traces.is_empty() {
        return view! {
            <EmptyState
                title="No traces match"
                explanation="Nothing in this window matches the search. Widen the time range, \
                             remove a tag, or lower the minimum duration."
            >
                <SendDataHelp/>
            </EmptyState>
        }
        .into_any();
    }
    let range = use_time_range();
    let points = results
        .traces
        .iter()
        .map(|trace| ScatterPoint {
            time_ms: trace.start_ns / 1_000_000,
            duration_ns: trace.duration_ns,
            href: range
                .get_untracked()
                .href_for(&format!("/traces/{}", trace.trace_id)),
            label: format!("{}: {}", trace.root_service, trace.root_operation),
            error: trace.error_count > 0,
        })
        .collect();
    let count = results.traces.len();
    view! {
        <ScatterPlot points from_ms=results.from_ms to_ms=results.to_ms/>
        <p class="muted">{count}" traces, most recent first"</p>
        <TraceList traces=results.traces empty="No traces."/>
    }
    .into_any()
}

/// The message for `field`, if any, right under it.
fn message_for(errors: Memo<Vec<FieldError>>, field: &'static str) -> impl Fn() -> String {
    move || {
        errors
            .get()
            .into_iter()
            .find(|e| e.field == field)
            .map(|e| e.message)
            .unwrap_or_default()
    }
}

/// `<option>`s for names loaded by a resource, with `selected` chosen.
#[component]
fn NameOptions(
    names: Resource<Result<Vec<String>, crate::error::AppError>>,
    selected: String,
) -> impl IntoView {
    view! {
        <Transition>
            {
                let selected = selected.clone();
                move || names.get().map(|names| {
                    let selected = selected.clone();
                    names.unwrap_or_default().into_iter().map(move |name| {
                        let is_selected = name == selected;
                        view! { <option value=name.clone() selected=is_selected>{name.clone()}</option> }
                    }).collect_view()
                })
            }
        </Transition>
    }
}

#[component]
fn SearchFormView(form: SearchForm, errors: Memo<Vec<FieldError>>) -> impl IntoView {
    let services = Resource::new(|| (), |_| service_names());
    let chosen_service = RwSignal::new(form.service.clone());
    let operations = Resource::new(
        move || chosen_service.get(),
        |service| async move {
            if service.is_empty() {
                Ok(Vec::new())
            } else {
                operation_names(service).await
            }
        },
    );
    let invalid = move |field: &'static str| move || errors.get().iter().any(|e| e.field == field);
    let initial_service = form.service.clone();
    let initial_operation = form.operation.clone();
    view! {
        <form class="search-form" method="get" action="/traces" data-testid="search-form">
            <crate::components::HiddenRange/>
            <div class="field">
                <label for="search-service">"Service"</label>
                <select id="search-service" name="service"
                    on:change=move |ev| chosen_service.set(event_target_value(&ev))>
                    <option value="">"All services"</option>
                    <NameOptions names=services selected=initial_service.clone()/>
                </select>
            </div>
            <div class="field">
                <label for="search-operation">"Operation"</label>
                <select id="search-operation" name="operation">
                    <option value="">"All operations"</option>
                    <NameOptions names=operations selected=initial_operation.clone()/>
                </select>
            </div>
            <div class="field wide" class:invalid=invalid("tags")>
                <label for="search-tags">"Tags"</label>
                <input id="search-tags" name="tags" value=form.tags.clone()
                    placeholder="http.response.status_code=500 error=true"
                    aria-describedby="search-tags-error"/>
                <p class="field-error" id="search-tags-error" data-testid="error-tags">{message_for(errors, "tags")}</p>
            </div>
            <div class="field" class:invalid=invalid("minDuration")>
                <label for="search-min">"Min duration"</label>
                <input id="search-min" name="minDuration" value=form.min_duration.clone()
                    placeholder="e.g. 1.2s, 500ms" aria-describedby="search-min-error"/>
                <p class="field-error" id="search-min-error" data-testid="error-minDuration">{message_for(errors, "minDuration")}</p>
            </div>
            <div class="field" class:invalid=invalid("maxDuration")>
                <label for="search-max">"Max duration"</label>
                <input id="search-max" name="maxDuration" value=form.max_duration.clone()
                    placeholder="e.g. 5s" aria-describedby="search-max-error"/>
                <p class="field-error" id="search-max-error" data-testid="error-maxDuration">{message_for(errors, "maxDuration")}</p>
            </div>
            <div class="field narrow" class:invalid=invalid("limit")>
                <label for="search-limit">"Limit"</label>
                <input id="search-limit" name="limit" value=form.limit.clone()
                    placeholder=DEFAULT_LIMIT.to_string() inputmode="numeric"
                    aria-describedby="search-limit-error"/>
                <p class="field-error" id="search-limit-error" data-testid="error-limit">{message_for(errors, "limit")}</p>
            </div>
            <div class="field actions">
                <button type="submit" class="primary">"Find traces"</button>
            </div>
        </form>
    }
}
