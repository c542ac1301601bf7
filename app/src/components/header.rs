use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::theme_toggle::ThemeToggle;
use super::time_range_picker::TimeRangePicker;
use crate::auth::use_user;
use crate::model::account::{encode_query_value, safe_next};
use crate::model::role::Role;
use crate::time_range::TimeRange;

/// The sections of the app, in the order engineers use them during an incident.
const SECTIONS: [(&str, &str); 6] = [
    ("/services", "Services"),
    ("/traces", "Traces"),
    ("/map", "Service map"),
    ("/explore", "Metrics"),
    ("/health", "Health"),
    ("/alerts", "Alerts"),
];

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="topbar">
            <A href="/services" attr:class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                "Watchpost"
            </A>
            <DemoBadge/>
            <nav class="sections" aria-label="Sections">
                {SECTIONS
                    .into_iter()
                    .map(|(path, label)| view! { <SectionLink path label/> })
                    .collect_view()}
                // Set-up instructions are for people who may see the data.
                {use_user().is_some().then(|| view! { <A href="/send-data">"Send data"</A> })}
            </nav>
            <div class="topbar-tools">
                <TraceLookup/>
                <TimeRangePicker/>
                <ThemeToggle/>
                <Account/>
            </div>
        </header>
    }
}

/// Says, on every page, that the data is the demo fleet's, simulated.
#[component]
fn DemoBadge() -> impl IntoView {
    let demo = use_context::<super::PageEndpoints>()
        .and_then(|endpoints| endpoints.0)
        .is_some_and(|endpoints| endpoints.demo);
    demo.then(|| {
        view! {
            <span class="demo-badge" data-testid="demo-badge"
                title="A simulated fleet (deployment.environment=demo) runs in this server, in a database of its own">
                "Demo"
            </span>
        }
    })
}

/// Who is signed in (a link to their profile), with a logout button, or a
/// "Log in" link. Plain forms and links, so they work before hydration.
#[component]
fn Account() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    // Come back to this page after logging in.
    let login_href = move || {
        let path = location.pathname.get();
        if path.starts_with("/login") || path.starts_with("/setup") {
            return "/login".to_owned();
        }
        let search = location.search.get();
        // With or without its `?`, depending on where it came from.
        let search = search.trim_start_matches('?');
        let here = if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        };
        let next = safe_next(Some(&here)).to_owned();
        format!("/login?next={}", encode_query_value(&next))
    };
    let inner = match use_user() {
        Some(user) => {
            let admin = (user.role == Role::Admin)
                .then(|| view! { <a href="/admin" data-testid="admin-link">"Admin"</a> });
            view! {
                {admin}
                <a href="/account" data-testid="signed-in-as" title=format!("{} ({})", user.username, user.role)>
                    {user.display_name}
                </a>
                <form method="post" action="/logout">
                    <button type="submit">"Log out"</button>
                </form>
            }
            .into_any()
        }
        None => view! { <a href=login_href>"Log in"</a> }.into_any(),
    };
    view! { <div class="account">{inner}</div> }
}

/// A navigation link that carries the current time range along, so moving
/// between sections keeps the window the engineer is looking at.
#[component]
fn SectionLink(path: &'static str, label: &'static str) -> impl IntoView {
    let query = use_query_map();
    let href = move || {
        let range = TimeRange::from_query(|key| query.read().get(key));
        range.href_for(path)
    };
    view! { <A href=href>{label}</A> }
}

/// "Go to trace": paste a trace id from a log line and open it.
#[component]
fn TraceLookup() -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    let input = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = input.get().map(|i| i.value()).unwrap_or_default();
        let id: String = typed
            .trim()
            .chars()
            .filter(|c| c.is_ascii_hexdigit())
            .collect();
        if !id.is_empty() {
            navigate(
                &format!("/traces/{}", id.to_lowercase()),
                Default::default(),
            );
        }
    };
    view! {
        <form class="trace-lookup" role="search" on:submit=on_submit>
            <label class="visually-hidden" for="trace-lookup">"Trace id"</label>
            <input id="trace-lookup" node_ref=input name="id" placeholder="Trace id" autocomplete="off" spellcheck="false"/>
        </form>
    }
}
