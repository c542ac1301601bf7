//! HTTP checks with conditions: JSON paths, body text, response time, and
//! the request headers that conditions often depend on.

use super::targets::serve_app;
use super::*;

fn equals(path: &str, value: &str) -> Condition {
    Condition::JsonPathEquals {
        path: path.to_owned(),
        value: value.to_owned(),
    }
}

fn contains(path: &str, value: &str) -> Condition {
    Condition::JsonPathContains {
        path: path.to_owned(),
        value: value.to_owned(),
    }
}

async fn probe_json(conditions: Vec<Condition>) -> ProbeResult {
    let addr = serve_app().await;
    let mut spec = http_spec(addr, "/json");
    spec.conditions = conditions;
    probe(&spec).await
}

#[tokio::test]
async fn json_path_conditions_that_hold_pass() {
    let result = probe_json(vec![
        equals("$.state", "running"),
        equals("$.count", "3"),
        equals("$.build.tags[0]", "stable"),
        equals(r#"$["build"]["tags"]"#, r#"["stable","eu"]"#),
        contains("$.build.version", "2.4"),
    ])
    .await;
    assert_verdict(&result, CheckState::Healthy, "");
}

#[tokio::test]
async fn failed_json_path_conditions_are_named() {
    let result = probe_json(vec![
        equals("$.state", "stopped"),
        contains("$.build.version", "3."),
        equals("$.nope", "x"),
        equals("$.count", "3"),
    ])
    .await;
    assert_verdict(&result, CheckState::Unhealthy, "");
    assert_eq!(
        reason(&result),
        r#"$.state is "running", expected "stopped"; $.build.version is "2.4.1", expected to contain "3."; $.nope is missing, expected "x""#
    );
}

#[tokio::test]
async fn garbage_json_fails_json_conditions_once() {
    let addr = serve_app().await;
    let mut spec = http_spec(addr, "/garbage");
    spec.conditions = vec![equals("$.status", "up"), contains("$.a", "b")];
    let result = probe(&spec).await;
    assert_verdict(&result, CheckState::Unhealthy, "body is not JSON: ");
    assert_eq!(reason(&result).matches("not JSON").count(), 1, "{result:?}");
}

#[tokio::test]
async fn headers_are_sent_and_body_contains_checks_them() {
    let addr = serve_app().await;
    let mut spec = http_spec(addr, "/echo");
    spec.headers
        .insert("X-Probe-Token".to_owned(), "s3cret".to_owned());
    spec.conditions = vec![Condition::BodyContains("token=s3cret".to_owned())];
    assert_verdict(&probe(&spec).await, CheckState::Healthy, "");

    spec.headers.clear();
    let result = probe(&spec).await;
    assert_verdict(
        &result,
        CheckState::Unhealthy,
        r#"body does not contain "token=s3cret""#,
    );
    assert!(!reason(&result).contains("cut"), "{result:?}");
}

#[tokio::test]
async fn response_time_over_the_limit_fails() {
    let addr = serve_app().await;
    let mut spec = http_spec(addr, "/slowish");
    spec.conditions = vec![Condition::ResponseTimeUnderMs(50)];
    let result = probe(&spec).await;
    assert_verdict(&result, CheckState::Unhealthy, "limit 50 ms");
    assert!(reason(&result).starts_with("response took 1"), "{result:?}");

    spec.conditions = vec![Condition::ResponseTimeUnderMs(900)];
    assert_verdict(&probe(&spec).await, CheckState::Healthy, "");
}
