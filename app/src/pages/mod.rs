//! One module per section of the app. Later capabilities fill these pages in;
//! until there is data, each says what it will show and how to send data.

mod account;
mod admin;
mod alerts;
mod health;
mod map;
mod metrics;
mod not_found;
mod profile;
mod send_data;
mod service;
mod services;
mod status;
mod trace;
mod traces;

pub use account::{LoginPage, SetupPage};
pub use admin::AdminPage;
pub use alerts::{AlertDetailPage, AlertsPage, RulesPage};
pub use health::{HealthCheckPage, HealthPage, NewCheckPage};
pub use map::MapPage;
pub use metrics::MetricsPage;
pub use not_found::NotFoundPage;
pub use profile::ProfilePage;
pub use send_data::SendDataPage;
pub use service::ServicePage;
pub use services::ServicesPage;
pub use status::StatusPageView;
pub use trace::TracePage;
pub use traces::TracesPage;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::use_time_range;

/// A path parameter as text. It is untrusted: it is only ever rendered as a
/// text node, which Leptos escapes.
pub(crate) fn use_path_param(name: &'static str) -> Signal<String> {
    let params = use_params_map();
    Signal::derive(move || params.read().get(name).unwrap_or_default())
}

/// "Last hour", "2026-01-02 03:04 → … UTC": the window a page is showing.
fn range_subtitle(prefix: &'static str) -> Signal<String> {
    let range = use_time_range();
    Signal::derive(move || format!("{prefix} · {}", range.get().label()))
}
