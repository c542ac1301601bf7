//! Data for the Send data page: where to send telemetry, and whether any
//! new service has started sending since the reader opened the page.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::site::{NewServices, SiteEndpoints};

/// How many new services one answer names at most.
#[cfg(feature = "ssr")]
const NEW_SERVICES_SHOWN: i64 = 10;

/// The OTLP endpoints as the reader's browser reached us, and whether an
/// ingest key is needed.
#[server(prefix = "/rpc", endpoint = "site_endpoints")]
pub async fn fetch_site_endpoints() -> Result<SiteEndpoints, AppError> {
    Ok(endpoints_for_request(&crate::state::app_state()?.site))
}

/// Services first seen after `since_us` (µs, from an earlier answer); with
/// `None`, the watch starts now and the answer says when that was.
#[server(prefix = "/rpc", endpoint = "new_services")]
pub async fn fetch_new_services(since_us: Option<i64>) -> Result<NewServices, AppError> {
    let since = match since_us {
        Some(us) => Some(
            chrono::DateTime::from_timestamp_micros(us)
                .ok_or_else(|| AppError::Refused("since_us is out of range".to_owned()))?,
        ),
        None => None,
    };
    let db = crate::state::app_state()?.db;
    Ok(db
        .services_first_seen_after(since, NEW_SERVICES_SHOWN)
        .await?)
}

/// The endpoints for this request's reader: the same answer the server
/// function gives, for the empty states, which learn it with the page (see
/// `shell::App`) rather than wait on a request inside their Transition.
/// Only signed-in users see where to send data.
#[cfg(feature = "ssr")]
pub fn endpoints_for_request(site: &crate::model::site::SiteInfo) -> SiteEndpoints {
    let parts = use_context::<axum::http::request::Parts>();
    let host = parts.as_ref().and_then(|parts| {
        parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
            // HTTP/2 carries the host in the URI instead.
            .or_else(|| parts.uri.authority().map(|a| a.as_str().to_owned()))
    });
    site.endpoints(host.as_deref())
}

/// For the page shell: the reader's endpoints, or `None` for anonymous
/// readers (the status and login pages) and in the browser, which gets
/// the server's value with the page.
pub fn endpoints_for_page() -> Option<SiteEndpoints> {
    #[cfg(feature = "ssr")]
    {
        crate::auth::current_user()?;
        let state = use_context::<crate::state::AppState>()?;
        Some(endpoints_for_request(&state.site))
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}
