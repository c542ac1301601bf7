use super::*;

fn record(
    name: &str,
    service: &str,
    state: CheckState,
    dependencies: &[(&str, CheckState)],
) -> CheckRecord {
    CheckRecord {
        id: 1,
        spec: CheckSpec {
            name: name.to_owned(),
            service: service.to_owned(),
            check_type: CheckType::Http,
            target: "http://x/health".to_owned(),
            method: "GET".to_owned(),
            interval_ms: 10_000,
            timeout_ms: 5_000,
            expected_status: Vec::new(),
            headers: BTreeMap::new(),
            conditions: Vec::new(),
            failure_threshold: 3,
            success_threshold: 1,
            paused: false,
            labels: BTreeMap::new(),
            public: false,
        },
        source: CheckSource::Api,
        state,
        state_since_ms: 0,
        last_result: Some(ProbeResult {
            state,
            latency_ms: 1.0,
            http_status: Some(200),
            reason: (state != CheckState::Healthy).then(|| "status 503 not in 2xx".to_owned()),
            dependencies: dependencies
                .iter()
                .map(|(name, state)| DependencyStatus {
                    name: (*name).to_owned(),
                    state: *state,
                    detail: None,
                })
                .collect(),
            version: None,
        }),
        last_result_at_ms: Some(0),
    }
}

#[test]
fn a_dependency_down_makes_a_healthy_service_degraded_and_names_it() {
    let check = record(
        "orders health",
        "orders",
        CheckState::Healthy,
        &[
            ("redis", CheckState::Healthy),
            ("postgres", CheckState::Unhealthy),
        ],
    );
    let (state, reason) = check.service_state();
    assert_eq!(state, CheckState::Degraded);
    assert_eq!(reason.as_deref(), Some("dependency postgres is unhealthy"));
    // A degraded dependency alone is not an outage of the service.
    let fine = record(
        "x",
        "orders",
        CheckState::Healthy,
        &[("cache", CheckState::Degraded)],
    );
    assert_eq!(fine.service_state(), (CheckState::Healthy, None));
}

#[test]
fn the_worst_check_of_a_service_wins_and_paused_checks_do_not_count() {
    let mut paused = record("orders tcp", "orders", CheckState::Unreachable, &[]);
    paused.spec.paused = true;
    let checks = [
        record(
            "orders health",
            "orders",
            CheckState::Healthy,
            &[("postgres", CheckState::Unreachable)],
        ),
        paused,
        record("users health", "users", CheckState::Unhealthy, &[]),
        record("users ready", "users", CheckState::Healthy, &[]),
    ];
    let services = service_checks(&checks);
    let orders = &services["orders"];
    assert_eq!(orders.state, CheckState::Degraded);
    assert_eq!(orders.checks, 1);
    assert_eq!(
        orders.cause.as_deref(),
        Some("orders health: dependency postgres is unreachable")
    );
    let users = &services["users"];
    assert_eq!(users.state, CheckState::Unhealthy);
    assert_eq!(users.checks, 2);
    assert_eq!(
        users.cause.as_deref(),
        Some("users health: status 503 not in 2xx")
    );
}
