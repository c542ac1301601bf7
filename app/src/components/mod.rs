//! Pieces shared by every page.

pub mod charts;
mod check_state;
mod empty_state;
mod field_errors;
mod footer;
mod header;
mod hidden_range;
mod language_setup;
mod page_header;
mod query_state;
mod refresh;
mod secrets;
mod service_watch;
mod theme_toggle;
mod time_range_picker;

pub use check_state::{StateBadge, UptimeBarView, uptime_text, utc_time};
pub use empty_state::{EmptyState, PageEndpoints, SendDataHelp};
pub use field_errors::{field_message, refusal_errors};
pub use footer::Footer;
pub use header::Header;
pub use hidden_range::HiddenRange;
pub use language_setup::LanguageSetup;
pub use page_header::PageHeader;
pub use query_state::{use_query_param, use_set_query};
pub use refresh::use_refresh_tick;
pub use secrets::{NewSecretForm, SecretRow, secret_list};
pub use service_watch::ServiceWatch;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::time_range::TimeRange;

/// The time range in the URL, for pages and the picker alike.
pub fn use_time_range() -> Memo<TimeRange> {
    let query = use_query_map();
    Memo::new(move |_| TimeRange::from_query(|key| query.read().get(key)))
}
