//! End-to-end tests of the prober against real targets on 127.0.0.1: axum
//! apps, raw TCP listeners and a tonic health server, each started per test
//! on a port of its own. Grouped by kind of check; helpers below.

mod grpc;
mod http_conditions;
mod http_health;
mod http_transport;
mod targets;
mod tcp;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::grpc_health_proto;
use super::{
    CheckSpec, CheckState, CheckType, Condition, DependencyStatus, ProbeResult, Prober, StatusRange,
};

/// Slack allowed past a check's timeout before a probe counts as late.
const LATE_AFTER: Duration = Duration::from_millis(200);

fn spec(check_type: CheckType, target: impl Into<String>, timeout_ms: u64) -> CheckSpec {
    CheckSpec {
        name: "test".to_owned(),
        service: "test".to_owned(),
        check_type,
        target: target.into(),
        method: "GET".to_owned(),
        interval_ms: 10_000,
        timeout_ms,
        expected_status: Vec::new(),
        headers: BTreeMap::new(),
        conditions: Vec::new(),
        failure_threshold: 1,
        success_threshold: 1,
        paused: false,
        labels: BTreeMap::new(),
        public: false,
    }
}

fn http_spec(addr: SocketAddr, path: &str) -> CheckSpec {
    spec(CheckType::Http, format!("http://{addr}{path}"), 1000)
}

/// Probes `spec` with a fresh prober, checking it kept to its timeout.
async fn probe(spec: &CheckSpec) -> ProbeResult {
    let prober = Prober::new().expect("prober builds");
    let started = Instant::now();
    let result = prober.probe(spec).await;
    let took = started.elapsed();
    let limit = Duration::from_millis(spec.timeout_ms) + LATE_AFTER;
    assert!(
        took <= limit,
        "probe took {took:?}, timeout {} ms",
        spec.timeout_ms
    );
    assert_ne!(result.state, CheckState::Pending);
    result
}

fn reason(result: &ProbeResult) -> &str {
    result.reason.as_deref().unwrap_or_default()
}

/// Asserts the state and that the reason contains `expected` (or, for
/// healthy, that there is none).
#[track_caller]
fn assert_verdict(result: &ProbeResult, state: CheckState, expected: &str) {
    assert_eq!(result.state, state, "{result:?}");
    if state == CheckState::Healthy {
        assert_eq!(result.reason, None, "{result:?}");
    } else {
        assert!(reason(result).contains(expected), "{result:?}");
    }
}

/// A port on 127.0.0.1 with nothing listening: bound, then let go.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    listener.local_addr().expect("local addr").port()
}
