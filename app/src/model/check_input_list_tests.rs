//! The list and map fields: statuses, headers, conditions and labels.

use super::tests::{assert_rejected, condition, errors_of, host_port, http, map};
use super::*;

#[test]
fn expected_status_accepts_codes_classes_and_ranges() {
    let mut input = http("http://a");
    input.expected_status = vec![
        StatusInput::Code(200),
        StatusInput::Text("3xx".into()),
        StatusInput::Text("400-404".into()),
        StatusInput::Text(" 418 ".into()),
    ];
    let ranges: Vec<_> = input.validate().unwrap().expected_status;
    let pairs: Vec<_> = ranges.iter().map(|r| (r.from, r.to)).collect();
    assert_eq!(pairs, [(200, 200), (300, 399), (400, 404), (418, 418)]);
}

#[test]
fn expected_status_reports_each_bad_entry() {
    let mut input = http("http://a");
    input.expected_status = vec![
        StatusInput::Code(99),
        StatusInput::Code(600),
        StatusInput::Text("6xx".into()),
        StatusInput::Text("300-200".into()),
        StatusInput::Text("ok".into()),
        StatusInput::Code(204),
    ];
    let errors = errors_of(&input);
    assert_eq!(errors.len(), 5, "{errors:?}");
    assert!(errors.iter().all(|(field, _)| field == "expected_status"));
    assert!(
        errors[0]
            .1
            .contains("99 is not an HTTP status: use 100 to 599")
    );
    assert!(errors[3].1.contains("write the lower code first"));
    assert!(errors[4].1.contains("use e.g. 200, 2xx or 200-299"));
}

#[test]
fn http_only_fields_are_refused_for_tcp_and_grpc() {
    let mut input = host_port("grpc", "orders:50051");
    input.expected_status = vec![StatusInput::Code(200)];
    input.headers = map(&[("X-A", "1")]);
    input.conditions = vec![condition(None, None, None)];
    let errors = errors_of(&input);
    let fields: Vec<_> = errors.iter().map(|(field, _)| field.as_str()).collect();
    assert_eq!(fields, ["expected_status", "headers", "conditions"]);
    assert!(
        errors[1]
            .1
            .contains("only http checks send headers, not grpc checks")
    );
}

#[test]
fn headers_are_trimmed_tokens_with_clean_values() {
    let mut input = http("http://a");
    input.headers = map(&[("Authorization", " Bearer x "), ("X-Trace_Id", "a\tb")]);
    let headers = input.validate().unwrap().headers;
    assert_eq!(
        headers,
        map(&[("Authorization", "Bearer x"), ("X-Trace_Id", "a\tb")])
    );
    let long = "v".repeat(4097);
    let cases = [
        ("X Bad", "v", "may only contain letters, digits"),
        ("", "v", "may only contain"),
        ("a:b", "v", "may only contain"),
        ("X-Inject", "a\r\nSet-Cookie: x", "line breaks"),
        ("X-Nul", "a\0b", "control characters"),
        ("X-Long", long.as_str(), "at most 4096 characters"),
    ];
    for (name, value, fragment) in cases {
        input.headers = map(&[(name, value)]);
        assert_rejected(&input, "headers", fragment);
    }
    input.headers = map(&[("accept", "a"), ("Accept", "b")]);
    assert_rejected(&input, "headers", "given twice");
    input.headers = (0..51)
        .map(|i| (format!("X-{i}"), "v".to_owned()))
        .collect();
    assert_rejected(&input, "headers", "at most 50 headers");
}

#[test]
fn conditions_of_all_four_shapes() {
    let mut input = http("http://a");
    input.conditions = vec![
        condition(Some(" $.status "), Some("up"), None),
        condition(Some("$.items[0][\"a.b\"]"), None, Some("ok")),
        ConditionInput {
            body_contains: Some("OK".into()),
            ..ConditionInput::default()
        },
        ConditionInput {
            response_time_under_ms: Some(500),
            ..ConditionInput::default()
        },
    ];
    assert_eq!(
        input.validate().unwrap().conditions,
        [
            Condition::JsonPathEquals {
                path: "$.status".into(),
                value: "up".into()
            },
            Condition::JsonPathContains {
                path: "$.items[0][\"a.b\"]".into(),
                value: "ok".into()
            },
            Condition::BodyContains("OK".into()),
            Condition::ResponseTimeUnderMs(500),
        ]
    );
}

#[test]
fn bad_conditions_name_their_position() {
    let good = condition(Some("$.a"), Some(""), None);
    let body_and_time = ConditionInput {
        body_contains: Some("x".into()),
        response_time_under_ms: Some(5),
        ..ConditionInput::default()
    };
    let cases = [
        (ConditionInput::default(), "use json_path with equals"),
        (
            condition(Some("$.a"), Some("x"), Some("y")),
            "use json_path with equals",
        ),
        (
            condition(None, Some("x"), None),
            "use json_path with equals",
        ),
        (
            condition(Some("$.a"), None, None),
            "use json_path with equals",
        ),
        (body_and_time, "use json_path with equals"),
        (
            condition(Some("status"), Some("x"), None),
            "must start with $",
        ),
        (condition(Some("$.a..b"), Some("x"), None), "empty key"),
        (
            condition(Some("$.a"), None, Some("")),
            "contains needs some text",
        ),
        (
            condition(Some("$.a"), Some("two\nlines"), None),
            "on one line",
        ),
        (
            ConditionInput {
                response_time_under_ms: Some(0),
                ..ConditionInput::default()
            },
            "at least 1",
        ),
        (
            ConditionInput {
                body_contains: Some(String::new()),
                ..ConditionInput::default()
            },
            "needs some text",
        ),
    ];
    for (bad, fragment) in cases {
        let mut input = http("http://a");
        input.conditions = vec![good.clone(), bad];
        assert_rejected(&input, "conditions", fragment);
        assert!(errors_of(&input)[0].1.starts_with("condition 2: "));
    }
    let mut input = http("http://a");
    input.conditions = vec![good; 21];
    assert_rejected(&input, "conditions", "at most 20 conditions");
}

#[test]
fn label_rules() {
    let mut input = http("http://a");
    input.labels = map(&[
        ("team", " payments "),
        ("app.kubernetes.io/part-of", "shop"),
    ]);
    let labels = input.validate().unwrap().labels;
    assert_eq!(
        labels,
        map(&[("team", "payments"), ("app.kubernetes.io/part-of", "shop")])
    );
    let long_key = "k".repeat(65);
    let long_value = "v".repeat(201);
    let cases = [
        ("bad key", "v", "keys are 1 to 64 letters"),
        ("", "v", "keys are 1 to 64"),
        ("tier:1", "v", "keys are 1 to 64"),
        (long_key.as_str(), "v", "keys are 1 to 64"),
        (
            "team",
            long_value.as_str(),
            "the value must be at most 200 characters",
        ),
        (
            "team",
            "a\u{7}b",
            "the value must not contain control characters",
        ),
    ];
    for (key, value, fragment) in cases {
        input.labels = map(&[(key, value)]);
        assert_rejected(&input, "labels", fragment);
    }
    input.labels = (0..21).map(|i| (format!("k{i}"), "v".to_owned())).collect();
    assert_rejected(&input, "labels", "at most 20 labels");
}
