//! "Waiting for the first span…": polls for services first seen since the
//! page was opened, and turns into links to them once they arrive.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::use_refresh_tick;
use crate::error::AppError;
use crate::model::site::NewServices;
use crate::pages::services::encode_segment;
use crate::rpc::onboarding::fetch_new_services;

/// How often the page asks; a span usually lands within a second.
const POLL: Duration = Duration::from_secs(2);

pub type NewServicesWatch = Resource<Result<NewServices, AppError>>;

/// The watch, made at the top of the page (outside its Transitions). The
/// first answer (on the server) fixes when the watch began; later ones
/// ask what arrived since. It keeps polling after the first arrival: on a
/// shared server someone else's service may be first, and the reader's
/// own should still show up.
pub fn use_new_services() -> NewServicesWatch {
    let tick = use_refresh_tick(POLL);
    let since = RwSignal::new(None::<i64>);
    let watch = Resource::new(
        move || (since.get(), tick.get()),
        |(since, _)| fetch_new_services(since),
    );
    Effect::new(move |_| {
        if let Some(Ok(answer)) = watch.get()
            && since.get_untracked().is_none()
        {
            since.set(Some(answer.since_us));
        }
    });
    watch
}

#[component]
pub fn FirstSpan(watch: NewServicesWatch) -> impl IntoView {
    view! {
        <section class="first-span" aria-live="polite">
            <Transition fallback=|| view! { <Waiting earlier=0/> }>
                {move || watch.get().map(|result| match result {
                    Ok(answer) if answer.arrived.is_empty() => {
                        view! { <Waiting earlier=answer.earlier/> }.into_any()
                    }
                    Ok(answer) => view! { <Arrived names=answer.arrived/> }.into_any(),
                    Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Waiting(earlier: i64) -> impl IntoView {
    // Services that reported before the page opened do not count: the
    // reader is setting up a new one.
    let already = (earlier > 0).then(|| {
        let text = if earlier == 1 {
            "1 service already reports".to_owned()
        } else {
            format!("{earlier} services already report")
        };
        view! { <p class="muted"><A href="/services">{text}</A></p> }
    });
    view! {
        <p class="waiting" data-testid="first-span-waiting">
            <span class="spinner" aria-hidden="true"></span>
            "Waiting for the first span…"
        </p>
        {already}
    }
}

#[component]
fn Arrived(names: Vec<String>) -> impl IntoView {
    let links = names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let href = format!("/services/{}", encode_segment(&name));
            let text = name.clone();
            view! {
                {(i > 0).then_some(", ")}
                <a href=href data-testid="first-span-arrived" data-service=name>{text}</a>
            }
        })
        .collect_view();
    view! {
        <p class="arrived">
            <span class="ok-mark" aria-hidden="true">"✓"</span>
            "Spans are arriving from "{links}
        </p>
    }
}
