//! `/status`: the public status page. Read-only and outside the app's
//! navigation, it shows only the checks marked public: each one's name,
//! current state and 90 days of uptime.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{StateBadge, UptimeBarView, uptime_text};
use crate::model::check::CheckState;
use crate::rpc::status::{PublicCheck, StatusPage, fetch_status_page};

#[component]
pub fn StatusPageView() -> impl IntoView {
    let status = Resource::new(|| (), |_| fetch_status_page());
    view! {
        <Title text="Status"/>
        <div class="status-page">
            <h1>"Service status"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || status.get().map(|result| match result {
                    Ok(page) => view! { <Status page/> }.into_any(),
                    Err(error) => view! { <p class="error-banner">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Status(page: StatusPage) -> impl IntoView {
    if page.checks.is_empty() {
        return view! { <p class="muted">"Nothing is published on this status page yet."</p> }
            .into_any();
    }
    let (class, headline) = match page.overall() {
        Some(CheckState::Healthy) | None => ("healthy", "All systems operational"),
        Some(CheckState::Degraded) => ("degraded", "Some systems are degraded"),
        Some(CheckState::Pending) => ("pending", "Checking…"),
        Some(_) => ("unhealthy", "Some systems are down"),
    };
    let rows = page
        .checks
        .into_iter()
        .map(|check| view! { <PublicRow check/> })
        .collect_view();
    view! {
        <p class=format!("status-headline {class}") data-testid="status-headline">{headline}</p>
        <ul class="status-list">{rows}</ul>
    }
    .into_any()
}

#[component]
fn PublicRow(check: PublicCheck) -> impl IntoView {
    let label = format!("Uptime of {} over 90 days", check.name);
    view! {
        <li data-check=check.name.clone()>
            <div class="status-row">
                <strong>{check.name.clone()}</strong>
                <span class="muted">{uptime_text(check.uptime_30d)}" uptime (30 days)"</span>
                <StateBadge state=check.state paused=check.paused/>
            </div>
            <UptimeBarView bar=check.days label/>
            <div class="status-scale muted"><span>"90 days ago"</span><span>"today"</span></div>
        </li>
    }
}
