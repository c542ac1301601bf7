//! OTLP metrics in: `POST /v1/metrics` and `MetricsService/Export`.
//!
//! Unlike spans, which go through the queued COPY pipeline, an export's
//! points are written by the request itself in one transaction: metric
//! exports are small and periodic (one per service every 10–60 s), and
//! the answer still comes only after the commit. A bounded number of
//! writes run at once; beyond that the answer is 503 / UNAVAILABLE with
//! `Retry-After`, which exporters retry, so nothing acknowledged is lost.

pub mod convert;

use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest,
};

use super::IngestError;
use super::export::now_ns;
use crate::startup::ServerState;

/// Metric exports written at once per server.
pub const CONCURRENT_WRITES: usize = 16;

/// What the client is told besides "ok": the points it must not resend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsSummary {
    pub rejected_points: u64,
    pub message: Option<String>,
}

impl MetricsSummary {
    pub fn partial_success(&self) -> Option<ExportMetricsPartialSuccess> {
        self.message
            .clone()
            .map(|error_message| ExportMetricsPartialSuccess {
                rejected_data_points: i64::try_from(self.rejected_points).unwrap_or(i64::MAX),
                error_message,
            })
    }
}

/// Decodes (on the blocking pool), converts and stores one export; returns
/// once its points are committed.
pub async fn export_metrics<D>(
    state: &ServerState,
    decode: D,
) -> Result<MetricsSummary, IngestError>
where
    D: FnOnce() -> Result<ExportMetricsServiceRequest, IngestError> + Send + 'static,
{
    let limits = state.ingest.limits.clone();
    let converted = tokio::task::spawn_blocking(move || {
        Ok::<_, IngestError>(convert::convert(decode()?, &limits, now_ns()))
    })
    .await
    .map_err(|_| IngestError::Internal)??;
    let _permit = state
        .metric_writes
        .clone()
        .try_acquire_owned()
        .map_err(|_| IngestError::Overloaded)?;
    state
        .app
        .db
        .write_metrics(&converted.batch)
        .await
        .map_err(|error| match error {
            app::storage::StorageError::Unavailable(_) => IngestError::StorageUnavailable,
            other => {
                tracing::error!(error = %other, "metric points not stored");
                IngestError::Internal
            }
        })?;
    let message = converted.first_rejection.map(|first| {
        format!(
            "{} data points rejected; the first: {first}",
            converted.rejected_points
        )
    });
    Ok(MetricsSummary {
        rejected_points: converted.rejected_points,
        message,
    })
}
