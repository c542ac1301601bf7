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
    /// Shown on the public status page (name, state and uptime only).
    #[serde(default)]
    pub public: bool,
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
    /// Registered by the demo fleet for its simulated services.
    Demo,
}

impl CheckSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckSource::Api => "api",
            CheckSource::Ui => "ui",
            CheckSource::File => "file",
            CheckSource::Demo => "demo",
        }
    }

    pub fn parse(word: &str) -> CheckSource {
        match word {
            "file" => CheckSource::File,
            "demo" => CheckSource::Demo,
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

/// Results of one check over a span of time, by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uptime {
    pub total: u64,
    pub healthy: u64,
    pub degraded: u64,
    pub unhealthy: u64,
    pub unreachable: u64,
}

impl Uptime {
    /// Healthy or degraded (up, if impaired) over all results; None
    /// without results.
    pub fn fraction_up(&self) -> Option<f64> {
        (self.total > 0).then(|| (self.healthy + self.degraded) as f64 / self.total as f64)
    }

    /// The worst state seen, for colouring one slot of an uptime bar;
    /// None for a slot without results.
    pub fn worst(&self) -> Option<CheckState> {
        [
            (self.unreachable, CheckState::Unreachable),
            (self.unhealthy, CheckState::Unhealthy),
            (self.degraded, CheckState::Degraded),
            (self.healthy, CheckState::Healthy),
        ]
        .into_iter()
        .find(|(count, _)| *count > 0)
        .map(|(_, state)| state)
    }

    /// Adds one result of `state`.
    pub fn count(&mut self, state: CheckState) {
        self.total += 1;
        match state {
            CheckState::Healthy => self.healthy += 1,
            CheckState::Degraded => self.degraded += 1,
            CheckState::Unhealthy => self.unhealthy += 1,
            CheckState::Unreachable | CheckState::Pending => self.unreachable += 1,
        }
    }

    pub fn add(&mut self, other: &Uptime) {
        self.total += other.total;
        self.healthy += other.healthy;
        self.degraded += other.degraded;
        self.unhealthy += other.unhealthy;
        self.unreachable += other.unreachable;
    }
}

/// A state change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckEvent {
    pub at_ms: i64,
    pub from: CheckState,
    pub to: CheckState,
    pub reason: Option<String>,
}

/// Why a check from the checks file cannot be edited or deleted by hand.
pub const FILE_CHECK_IS_READ_ONLY: &str =
    "this check is defined in the checks file; edit the file and reload";

/// Why a check of the demo fleet cannot be edited or deleted by hand.
pub const DEMO_CHECK_IS_READ_ONLY: &str =
    "this check belongs to the demo fleet, which registers it again at every start";

impl CheckRecord {
    /// File checks change only with the file, so a reload cannot undo an
    /// edit made in the UI or the API.
    pub fn editable(&self) -> Result<(), &'static str> {
        match self.source {
            CheckSource::File => Err(FILE_CHECK_IS_READ_ONLY),
            CheckSource::Demo => Err(DEMO_CHECK_IS_READ_ONLY),
            CheckSource::Api | CheckSource::Ui => Ok(()),
        }
    }

    /// The state the service is shown in because of this check, and why.
    /// A healthy check whose endpoint reports a dependency down makes the
    /// service degraded, naming the dependency: the service answers, but
    /// something it needs does not.
    pub fn service_state(&self) -> (CheckState, Option<String>) {
        let reason = self.last_result.as_ref().and_then(|r| r.reason.clone());
        if self.state != CheckState::Healthy {
            return (self.state, reason);
        }
        let down = self
            .last_result
            .iter()
            .flat_map(|r| &r.dependencies)
            .find(|d| matches!(d.state, CheckState::Unhealthy | CheckState::Unreachable));
        match down {
            Some(dependency) => (
                CheckState::Degraded,
                Some(format!(
                    "dependency {} is {}",
                    dependency.name,
                    dependency.state.as_str()
                )),
            ),
            None => (CheckState::Healthy, None),
        }
    }
}

/// What a service's active checks say about it: the worst of their
/// service states, with the check and the cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceChecks {
    pub state: CheckState,
    /// e.g. "orders health: dependency postgres is unhealthy".
    pub cause: Option<String>,
    pub checks: usize,
}

/// Each service with active checks, from every check there is.
pub fn service_checks(checks: &[CheckRecord]) -> BTreeMap<String, ServiceChecks> {
    let mut services: BTreeMap<String, ServiceChecks> = BTreeMap::new();
    for check in checks.iter().filter(|c| !c.spec.paused) {
        let (state, reason) = check.service_state();
        let cause = reason.map(|reason| format!("{}: {reason}", check.spec.name));
        let entry = services
            .entry(check.spec.service.clone())
            .or_insert(ServiceChecks {
                state,
                cause: cause.clone(),
                checks: 0,
            });
        entry.checks += 1;
        if state.severity() > entry.state.severity() {
            entry.state = state;
            entry.cause = cause;
        }
    }
    services
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
