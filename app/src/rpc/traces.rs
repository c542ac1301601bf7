//! Data for the trace search and trace pages.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::trace::{Trace, TraceSummary};
use crate::search_form::SearchForm;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub traces: Vec<TraceSummary>,
    /// The window searched, unix ms, for the scatter plot's axis.
    pub from_ms: i64,
    pub to_ms: i64,
}

/// Traces matching the form, most recent first. The form is validated
/// again here: the browser's check is a convenience, not a guard.
#[server(prefix = "/rpc", endpoint = "search_traces")]
pub async fn search_traces(form: SearchForm, window: String) -> Result<SearchResults, AppError> {
    use crate::storage::query::TraceSearch;

    let valid = form.validate().map_err(AppError::InvalidInput)?;
    let db = crate::state::app_state()?.db;
    let (start, end) = super::window_ns(&window);
    let search = TraceSearch {
        service: valid.service,
        operation: valid.operation,
        tags: valid.tags,
        min_duration_ns: valid.min_duration_ns,
        max_duration_ns: valid.max_duration_ns,
        start_ns: start,
        end_ns: end,
        limit: valid.limit,
        errors_only: false,
    };
    let ids = db.find_trace_ids(&search).await?;
    let traces = db.load_traces(&ids).await?;
    Ok(SearchResults {
        traces: traces.iter().map(TraceSummary::of).collect(),
        from_ms: start / 1_000_000,
        to_ms: end / 1_000_000,
    })
}

/// One whole trace, or `None` when no span of it is stored (yet).
#[server(prefix = "/rpc", endpoint = "trace")]
pub async fn get_trace(trace_id: String) -> Result<Option<Trace>, AppError> {
    // Shorter ids (leading zeros dropped, as some tools print them) are
    // padded, as Jaeger does.
    let padded = format!("{:0>32}", trace_id.trim());
    let Some(id) = crate::model::trace::parse_trace_id_hex(&padded) else {
        return Ok(None);
    };
    Ok(crate::state::app_state()?.db.load_trace(id).await?)
}
