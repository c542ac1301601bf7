//! RED figures (rate, errors, duration) as pages and the API show them.

use serde::{Deserialize, Serialize};

use super::span::SpanKind;

/// Requests, errors and latency over some window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct RedFigures {
    pub requests: u64,
    pub errors: u64,
    pub duration_sum_ns: i64,
    pub p50_ns: Option<i64>,
    pub p95_ns: Option<i64>,
    pub p99_ns: Option<i64>,
}

impl RedFigures {
    pub fn rate_per_second(&self, window_seconds: f64) -> f64 {
        if window_seconds > 0.0 {
            self.requests as f64 / window_seconds
        } else {
            0.0
        }
    }

    /// Errors as a fraction of requests; 0 when there were none.
    pub fn error_fraction(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            self.errors as f64 / self.requests as f64
        }
    }

    pub fn mean_ns(&self) -> Option<f64> {
        (self.requests > 0).then(|| self.duration_sum_ns as f64 / self.requests as f64)
    }
}

/// One row of the Services page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRed {
    pub name: String,
    pub figures: RedFigures,
    /// Requests per bucket over the window, oldest first, for a sparkline.
    pub requests_per_bucket: Vec<u64>,
    pub last_seen_ms: i64,
}

/// One row of a service's operation table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationRed {
    pub name: String,
    pub kind: SpanKind,
    pub figures: RedFigures,
}

/// The figures of one time bucket of a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedPoint {
    pub start_ms: i64,
    pub figures: RedFigures,
}

/// The kinds that count as a service's requests: work it was asked to do.
pub fn is_entry_kind(kind: SpanKind) -> bool {
    matches!(kind, SpanKind::Server | SpanKind::Consumer)
}
