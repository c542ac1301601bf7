use serde_json::{Value, json};

use super::*;

fn report(body: Value) -> HealthReport {
    match parse_health_report(&body) {
        Some(report) => report,
        None => panic!("not read as a health report: {body}"),
    }
}

fn dep(name: &str, state: CheckState, detail: Option<&str>) -> DependencyStatus {
    DependencyStatus {
        name: name.to_owned(),
        state,
        detail: detail.map(str::to_owned),
    }
}

#[test]
fn reads_status_version_and_dependencies_by_name() {
    let report = report(json!({
        "status": "degraded",
        "version": "1.4.2",
        "dependencies": {"db": {"status": "down"}, "cache": {"status": "up"}}
    }));
    assert_eq!(report.state, CheckState::Degraded);
    assert_eq!(report.version.as_deref(), Some("1.4.2"));
    assert_eq!(
        report.dependencies,
        vec![
            dep("cache", CheckState::Healthy, None),
            dep("db", CheckState::Unhealthy, None),
        ]
    );
    assert_eq!(
        report.summary().as_deref(),
        Some("reports degraded: db is unhealthy")
    );
}

#[test]
fn reads_dependencies_as_an_array_of_named_entries() {
    let report = report(json!({
        "status": "UP",
        "dependencies": [
            {"name": "db", "status": "ok"},
            {"name": "queue", "status": "paused"},
            {"status": "fail"}
        ]
    }));
    assert_eq!(report.state, CheckState::Healthy);
    assert_eq!(
        report.dependencies,
        vec![
            dep("db", CheckState::Healthy, None),
            dep("queue", CheckState::Degraded, Some("paused")),
            dep("#2", CheckState::Unhealthy, None),
        ]
    );
    assert_eq!(report.summary(), None, "the top-level status decides");
}

#[test]
fn accepts_synonyms_in_any_case() {
    let cases = [
        ("Healthy", CheckState::Healthy),
        ("up", CheckState::Healthy),
        ("OK", CheckState::Healthy),
        ("pass", CheckState::Healthy),
        ("passing", CheckState::Healthy),
        ("degraded", CheckState::Degraded),
        ("WARN", CheckState::Degraded),
        ("warning", CheckState::Degraded),
        ("unhealthy", CheckState::Unhealthy),
        ("Down", CheckState::Unhealthy),
        ("fail", CheckState::Unhealthy),
        ("failing", CheckState::Unhealthy),
        ("CRITICAL", CheckState::Unhealthy),
    ];
    for (word, state) in cases {
        assert_eq!(state_from_word(word), Some(state), "{word}");
    }
}

#[test]
fn ignores_bodies_that_are_not_health_reports() {
    for body in [
        json!({"status": "created", "id": 7}),
        json!({"status": 200}),
        json!({"healthy": true}),
        json!(["up"]),
        json!("up"),
    ] {
        assert_eq!(parse_health_report(&body), None, "{body}");
    }
}

#[test]
fn reads_spring_components_and_checks_styles() {
    let spring = report(json!({
        "status": "DOWN",
        "components": {"db": {"status": "DOWN"}, "diskSpace": {"status": "UP"}}
    }));
    assert_eq!(spring.state, CheckState::Unhealthy);
    assert_eq!(
        spring.summary().as_deref(),
        Some("reports unhealthy: db is unhealthy")
    );

    let checks = report(json!({
        "status": "warn",
        "version": 3,
        "checks": {
            "db:connections": [{"status": "pass"}, {"status": "warn"}],
            "uptime": "pass"
        }
    }));
    assert_eq!(checks.version.as_deref(), Some("3"));
    assert_eq!(
        checks.dependencies,
        vec![
            dep("db:connections", CheckState::Degraded, None),
            dep("uptime", CheckState::Healthy, None),
        ]
    );
}

#[test]
fn keeps_unknown_or_missing_dependency_statuses_as_degraded() {
    let report = report(json!({
        "status": "degraded",
        "dependencies": {"a": {"status": "maintenance"}, "b": {}, "c": {"status": false}}
    }));
    assert_eq!(
        report.dependencies,
        vec![
            dep("a", CheckState::Degraded, Some("maintenance")),
            dep("b", CheckState::Degraded, Some("no status")),
            dep("c", CheckState::Degraded, Some("false")),
        ]
    );
    assert_eq!(
        report.summary().as_deref(),
        Some(r#"reports degraded: a is "maintenance", b is "no status", c is "false""#)
    );
}
