//! What a probe found, before the clock is read: every kind of probe returns
//! a [`Finding`] and [`super::Prober::probe`] turns it into a `ProbeResult`
//! with the latency it measured around the whole probe.

use std::time::Duration;

use super::{CheckState, DependencyStatus, ProbeResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub state: CheckState,
    pub http_status: Option<u16>,
    pub reason: Option<String>,
    pub dependencies: Vec<DependencyStatus>,
    pub version: Option<String>,
}

impl Finding {
    pub fn healthy() -> Finding {
        Finding::new(CheckState::Healthy, None)
    }

    pub fn unhealthy(reason: impl Into<String>) -> Finding {
        Finding::new(CheckState::Unhealthy, Some(reason.into()))
    }

    pub fn unreachable(reason: impl Into<String>) -> Finding {
        Finding::new(CheckState::Unreachable, Some(reason.into()))
    }

    /// The one wording of a timeout, whichever phase ran out of time.
    pub fn timed_out(timeout_ms: u64) -> Finding {
        Finding::unreachable(format!("timed out after {timeout_ms} ms"))
    }

    pub fn with_http_status(mut self, status: u16) -> Finding {
        self.http_status = Some(status);
        self
    }

    pub fn new(state: CheckState, reason: Option<String>) -> Finding {
        Finding {
            state,
            http_status: None,
            reason,
            dependencies: Vec::new(),
            version: None,
        }
    }

    pub fn into_result(self, latency: Duration) -> ProbeResult {
        ProbeResult {
            state: self.state,
            latency_ms: latency.as_secs_f64() * 1000.0,
            http_status: self.http_status,
            reason: self.reason,
            dependencies: self.dependencies,
            version: self.version,
        }
    }
}
