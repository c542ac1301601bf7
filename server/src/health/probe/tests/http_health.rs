//! HTTP checks against health endpoints: the body's own verdict, and how the
//! status code outranks it.

use super::targets::serve_app;
use super::*;

fn dep(name: &str, state: CheckState) -> DependencyStatus {
    DependencyStatus {
        name: name.to_owned(),
        state,
        detail: None,
    }
}

#[tokio::test]
async fn healthy_json_body_is_healthy_with_version_and_dependencies() {
    let addr = serve_app().await;
    let result = probe(&http_spec(addr, "/healthz")).await;
    assert_verdict(&result, CheckState::Healthy, "");
    assert_eq!(result.http_status, Some(200));
    assert_eq!(result.version.as_deref(), Some("1.2.3"));
    assert_eq!(result.dependencies, vec![dep("db", CheckState::Healthy)]);
    assert!(result.latency_ms > 0.0);
}

#[tokio::test]
async fn degraded_body_names_the_dependency_that_is_down() {
    let addr = serve_app().await;
    let result = probe(&http_spec(addr, "/degraded")).await;
    assert_verdict(&result, CheckState::Degraded, "");
    assert_eq!(reason(&result), "reports degraded: db is unhealthy");
    assert_eq!(
        result.dependencies,
        vec![
            dep("cache", CheckState::Healthy),
            dep("db", CheckState::Unhealthy)
        ]
    );
}

#[tokio::test]
async fn status_503_is_unhealthy_and_still_records_the_body() {
    let addr = serve_app().await;
    let result = probe(&http_spec(addr, "/down")).await;
    assert_verdict(&result, CheckState::Unhealthy, "");
    assert_eq!(
        reason(&result),
        "status 503 not in 2xx; reports unhealthy: db is unhealthy"
    );
    assert_eq!(result.http_status, Some(503));
    assert_eq!(result.dependencies, vec![dep("db", CheckState::Unhealthy)]);
}

#[tokio::test]
async fn expected_status_can_accept_418() {
    let addr = serve_app().await;
    let by_default = probe(&http_spec(addr, "/teapot")).await;
    assert_verdict(&by_default, CheckState::Unhealthy, "status 418 not in 2xx");

    let mut spec = http_spec(addr, "/teapot");
    spec.expected_status = vec![
        StatusRange { from: 200, to: 299 },
        StatusRange { from: 418, to: 418 },
    ];
    let accepted = probe(&spec).await;
    assert_verdict(&accepted, CheckState::Healthy, "");
    assert_eq!(accepted.http_status, Some(418));

    spec.expected_status = vec![StatusRange { from: 200, to: 204 }];
    let rejected = probe(&spec).await;
    assert_verdict(
        &rejected,
        CheckState::Unhealthy,
        "status 418 not in 200-204",
    );
}

#[tokio::test]
async fn redirects_are_followed_and_loops_fail() {
    let addr = serve_app().await;
    let hop = probe(&http_spec(addr, "/hop")).await;
    assert_verdict(&hop, CheckState::Healthy, "");
    assert_eq!(
        hop.version.as_deref(),
        Some("1.2.3"),
        "judged the final page"
    );

    let looping = probe(&http_spec(addr, "/loop")).await;
    assert_verdict(&looping, CheckState::Unhealthy, "too many redirects");
}
