//! A live line for empty pages: "Watching for services…". It polls for
//! services first seen since the page opened and tells the page when one
//! arrives, so the page refetches and the empty state gives way to data
//! without a reload.
//!
//! It asks a server function from a task instead of a Resource: empty
//! states sit inside their page's Transition, where a Resource of their
//! own would be a nested Transition (see `PageEndpoints`), and polling the
//! page's own Resource would redraw the set-up snippets (and drop the
//! reader's text selection) every few seconds.

use std::time::Duration;

use leptos::prelude::*;

use super::use_refresh_tick;
use crate::rpc::onboarding::fetch_new_services;

/// How often to ask: a span is usually stored within a second.
const POLL: Duration = Duration::from_secs(3);

/// Calls `on_arrival` once a service reports for the first time after the
/// page opened. Ticks only in the browser.
#[component]
pub fn ServiceWatch(#[prop(into)] on_arrival: Callback<()>) -> impl IntoView {
    let tick = use_refresh_tick(POLL);
    // The watch's start in the database's clock, fixed by the first answer.
    let since = StoredValue::new(None::<i64>);
    let done = StoredValue::new(false);
    Effect::new(move |_| {
        if tick.get() == 0 || done.get_value() {
            return;
        }
        leptos::task::spawn_local(async move {
            let Ok(answer) = fetch_new_services(since.get_value()).await else {
                return;
            };
            let first = since.get_value().is_none();
            since.set_value(Some(answer.since_us));
            // Services first seen between the page's own fetch and this
            // first answer count as "earlier": ask the page once to look
            // again, so they are not missed.
            let look_again = !answer.arrived.is_empty() || (first && answer.earlier > 0);
            if look_again && !done.get_value() {
                done.set_value(!answer.arrived.is_empty());
                on_arrival.run(());
            }
        });
    });
    view! {
        <p class="waiting" data-testid="service-watch">
            <span class="spinner" aria-hidden="true"></span>
            "Watching for services: this page fills in as soon as one reports."
        </p>
    }
}
