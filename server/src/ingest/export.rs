//! The one export path both transports call: convert off the async runtime,
//! count, queue, wait for the commit.

use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest,
};

use super::{ConvertedRequest, IngestError, convert};
use crate::startup::ServerState;

/// What the client is told besides "ok": the spans it must not resend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub rejected_spans: u64,
    pub message: Option<String>,
}

impl ExportSummary {
    pub fn partial_success(&self) -> Option<ExportTracePartialSuccess> {
        self.message
            .clone()
            .map(|error_message| ExportTracePartialSuccess {
                rejected_spans: i64::try_from(self.rejected_spans).unwrap_or(i64::MAX),
                error_message,
            })
    }
}

/// Runs `decode` (which may inflate and parse) and the conversion on the
/// blocking pool, then stores the spans. Returns once they are committed.
pub async fn export_traces<D>(state: &ServerState, decode: D) -> Result<ExportSummary, IngestError>
where
    D: FnOnce() -> Result<ExportTraceServiceRequest, IngestError> + Send + 'static,
{
    let limits = state.ingest.limits.clone();
    let converted = tokio::task::spawn_blocking(move || {
        Ok::<_, IngestError>(convert::convert(decode()?, &limits, now_ns()))
    })
    .await
    .map_err(|_| IngestError::Internal)??;

    let stats = &state.pipeline.stats;
    stats
        .spans_rejected
        .fetch_add(converted.rejected_spans, Ordering::Relaxed);
    stats
        .values_truncated
        .fetch_add(converted.truncated_values, Ordering::Relaxed);
    let summary = ExportSummary {
        rejected_spans: converted.rejected_spans,
        message: converted.partial_success_message(),
    };
    let ConvertedRequest { batch, .. } = converted;
    state.pipeline.submit(batch).await?;
    Ok(summary)
}

pub fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}
