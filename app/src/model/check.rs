//! Health checks: what to probe, how, and what a probe found. Shared by the
//! server (scheduler, API, storage) and the browser (forms, pages).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How a target is probed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckType {
    /// An HTTP(S) request; the status, the body and the time are judged.
    Http,
    /// A TCP connect.
    Tcp,
    /// `grpc.health.v1.Health/Check`; `SERVING` is healthy.
    Grpc,
}

/// A check's state, and a single result's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckState {
    /// No result yet (or not enough to pass the thresholds).
    Pending,
    Healthy,
    Degraded,
    Unhealthy,
    /// The target could not be reached at all: connect, DNS, TLS, timeout.
    Unreachable,
}

/// An accepted range of HTTP status codes, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRange {
    pub from: u16,
    pub to: u16,
}

/// A condition on an HTTP response; every one must hold for healthy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// The JSON value at `path` (`$.a.b[0]`), as text, equals `value`.
    JsonPathEquals { path: String, value: String },
    /// The JSON value at `path`, as text, contains `value`.
    JsonPathContains { path: String, value: String },
    /// The body contains this text.
    BodyContains(String),
    /// The response arrived within this many milliseconds.
    ResponseTimeUnderMs(u64),
}

/// A validated check: what the scheduler runs. Built only by validation
/// (`check_input.rs`) so every way in (form, API, file) obeys one rule set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckSpec {
    pub name: String,
    pub service: String,
    pub check_type: CheckType,
    /// A URL for HTTP; `host:port` for TCP and gRPC.
    pub target: String,
    /// HTTP method (GET unless given).
    pub method: String,
    pub interval_ms: u64,
    pub timeout_ms: u64,
    /// Empty means 2xx.
    pub expected_status: Vec<StatusRange>,
    pub headers: BTreeMap<String, String>,
    pub conditions: Vec<Condition>,
    /// Consecutive bad results before the state turns bad.
    pub failure_threshold: u32,
    /// Consecutive good results before it turns healthy again.
    pub success_threshold: u32,
    pub paused: bool,
    pub labels: BTreeMap<String, String>,
}

/// One dependency as a health endpoint reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencyStatus {
    pub name: String,
    pub state: CheckState,
    /// The status text as reported, when it was not one we know.
    pub detail: Option<String>,
}

/// What one probe found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeResult {
    /// Healthy, degraded, unhealthy or unreachable; never pending.
    pub state: CheckState,
    pub latency_ms: f64,
    pub http_status: Option<u16>,
    /// Why it is not healthy, in words, e.g. "timed out after 5000 ms" or
    /// "status 503 not in 2xx" or "$.status is \"down\", expected \"up\"".
    pub reason: Option<String>,
    /// The `dependencies` of a health-endpoint body, if any.
    pub dependencies: Vec<DependencyStatus>,
    /// The `version` of a health-endpoint body, if any.
    pub version: Option<String>,
}

impl CheckState {
    /// The word stored and shown: `healthy`, `unreachable`, …
    pub fn as_str(self) -> &'static str {
        match self {
            CheckState::Pending => "pending",
            CheckState::Healthy => "healthy",
            CheckState::Degraded => "degraded",
            CheckState::Unhealthy => "unhealthy",
            CheckState::Unreachable => "unreachable",
        }
    }

    /// The inverse of [`CheckState::as_str`]; unknown words are pending.
    pub fn parse(word: &str) -> CheckState {
        match word {
            "healthy" => CheckState::Healthy,
            "degraded" => CheckState::Degraded,
            "unhealthy" => CheckState::Unhealthy,
            "unreachable" => CheckState::Unreachable,
            _ => CheckState::Pending,
        }
    }

    /// Worst first, for sorting and for merging several checks' states.
    pub fn severity(self) -> u8 {
        match self {
            CheckState::Unreachable => 4,
            CheckState::Unhealthy => 3,
            CheckState::Degraded => 2,
            CheckState::Pending => 1,
            CheckState::Healthy => 0,
        }
    }
}

/// Where a check was defined. File checks are replaced when the file is
/// reloaded, so the UI and API do not edit them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckSource {
    Api,
    Ui,
    File,
}

impl CheckSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckSource::Api => "api",
            CheckSource::Ui => "ui",
            CheckSource::File => "file",
        }
    }

    pub fn parse(word: &str) -> CheckSource {
        match word {
            "file" => CheckSource::File,
            "ui" => CheckSource::Ui,
            _ => CheckSource::Api,
        }
    }
}

/// A registered check with where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRecord {
    pub id: i64,
    pub spec: CheckSpec,
    pub source: CheckSource,
    pub state: CheckState,
    pub state_since_ms: i64,
    pub last_result: Option<ProbeResult>,
    pub last_result_at_ms: Option<i64>,
}

/// One stored result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredResult {
    pub at_ms: i64,
    pub state: CheckState,
    pub latency_ms: f64,
    pub http_status: Option<u16>,
    pub reason: Option<String>,
}

/// A state change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckEvent {
    pub at_ms: i64,
    pub from: CheckState,
    pub to: CheckState,
    pub reason: Option<String>,
}
