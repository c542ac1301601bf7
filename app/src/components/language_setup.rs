//! The set-up for one language at a time, with a tab per language. Shared
//! by the Send data page and the empty states, so a reader who lands on an
//! empty page gets the whole recipe where they are.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

use crate::model::site::SiteEndpoints;
use crate::setup_snippets::{KEY_PLACEHOLDER, Language};

/// The tabs are links to this same page with `?lang=` (other parameters,
/// such as the time range, kept), so they work before the bundle loads and
/// each set-up has an address to share.
///
/// `key`, once an admin made one on the page, replaces the snippets' key
/// placeholder, so they can be pasted as they are.
#[component]
pub fn LanguageSetup(
    site: SiteEndpoints,
    #[prop(optional, into)] key: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let language =
        Memo::new(move |_| Language::from_key(&query.read().get("lang").unwrap_or_default()));
    let tabs = Language::ALL
        .into_iter()
        .map(|l| {
            let href = move || {
                let mut params = query.get();
                params.replace("lang", l.key().to_owned());
                format!("{}{}", location.pathname.get(), params.to_query_string())
            };
            let current = move || language.get() == l;
            view! {
                <a href=href class="tab" class:active=current
                    aria-current=move || current().then_some("true")>{l.label()}</a>
            }
        })
        .collect_view();
    let steps = move || {
        let key = key.and_then(|key| key.get());
        language
            .get()
            .steps(&site)
            .into_iter()
            .map(|(caption, code)| {
                let code = match &key {
                    Some(key) => code.replace(KEY_PLACEHOLDER, key),
                    None => code,
                };
                view! {
                    <h3>{caption}</h3>
                    <pre class="snippet"><code>{code}</code></pre>
                }
            })
            .collect_view()
    };
    view! {
        <nav class="tabs" aria-label="Language">{tabs}</nav>
        <section class="send-data" data-testid="setup-steps" data-lang=move || language.get().key()>
            {steps}
            <p class="muted">"Replace " <code>"my-service"</code>
                " with your service's name: it is how the service appears in Watchpost."</p>
        </section>
    }
}
