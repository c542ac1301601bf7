//! The JSON API body and the way back from a spec.

use super::tests::{condition, host_port, http, map};
use super::*;

#[test]
fn a_full_api_body_deserialises_and_validates() {
    let body = r#"{
        "name": "orders api", "service": "orders", "type": "http",
        "url": "https://orders.example:8443/healthz?deep=1", "method": "head",
        "interval": "30s", "timeout": "2.5s", "expected_status": [200, "3xx"],
        "headers": {"Authorization": "Bearer t"},
        "conditions": [
            {"json_path": "$.status", "equals": "UP"},
            {"json_path": "$.checks[0].name", "contains": "db"},
            {"body_contains": "ok"},
            {"response_time_under_ms": 800}
        ],
        "failure_threshold": 2, "success_threshold": 2, "paused": true,
        "labels": {"team": "orders"}
    }"#;
    let input: CheckInput = serde_json::from_str(body).unwrap();
    assert_eq!(
        input.expected_status,
        [StatusInput::Code(200), StatusInput::Text("3xx".into())]
    );
    let spec = input.validate().unwrap();
    assert_eq!(spec.method, "HEAD");
    assert_eq!((spec.interval_ms, spec.timeout_ms), (30_000, 2_500));
    assert_eq!(
        spec.expected_status,
        [
            StatusRange { from: 200, to: 200 },
            StatusRange { from: 300, to: 399 }
        ]
    );
    assert_eq!(spec.conditions.len(), 4);
    assert_eq!(spec.conditions[3], Condition::ResponseTimeUnderMs(800));
    assert_eq!(
        (spec.failure_threshold, spec.success_threshold, spec.paused),
        (2, 2, true)
    );
    assert_eq!(spec.labels, map(&[("team", "orders")]));
}

#[test]
fn serde_rejects_unknown_fields_and_fills_in_omitted_ones() {
    let unknown = r#"{"name": "a", "intervall": "10s"}"#;
    let error = serde_json::from_str::<CheckInput>(unknown)
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown field `intervall`"), "{error}");
    let in_condition = r#"{"conditions": [{"json_path": "$.a", "equal": "b"}]}"#;
    assert!(serde_json::from_str::<CheckInput>(in_condition).is_err());
    let minimal: CheckInput = serde_json::from_str(r#"{"type": "tcp"}"#).unwrap();
    assert_eq!(
        minimal,
        CheckInput {
            check_type: "tcp".into(),
            ..CheckInput::default()
        }
    );
}

#[test]
fn serialising_leaves_out_what_is_absent() {
    let input = host_port("tcp", "db:5432");
    let json = serde_json::to_string(&input).unwrap();
    assert_eq!(
        json,
        r#"{"name":"db","service":"postgres","type":"tcp","target":"db:5432","paused":false,"public":false}"#
    );
    assert_eq!(serde_json::from_str::<CheckInput>(&json).unwrap(), input);
}

#[test]
fn from_spec_round_trips_every_type() {
    let mut full_http = http("https://shop.example:8443/healthz?x=1#top");
    full_http.method = Some("post".into());
    full_http.interval = Some("1m30s".into());
    full_http.timeout = Some("1.5s".into());
    full_http.expected_status = ["2xx", "301", "400-404", "500-599"]
        .map(|t| StatusInput::Text(t.into()))
        .into();
    full_http.headers = map(&[("X-A", "1")]);
    full_http.conditions = vec![
        condition(Some("$.a[\"b.c\"]"), Some("d"), None),
        condition(Some("$.e"), None, Some("f")),
        ConditionInput {
            body_contains: Some("g".into()),
            ..ConditionInput::default()
        },
        ConditionInput {
            response_time_under_ms: Some(250),
            ..ConditionInput::default()
        },
    ];
    full_http.failure_threshold = Some(5);
    full_http.paused = true;
    full_http.labels = map(&[("team", "shop")]);
    let mut slow_tcp = host_port("tcp", "[2001:db8::1]:5432");
    slow_tcp.interval = Some("1h0.25s".into());
    let inputs = [
        full_http,
        http("http://a"),
        slow_tcp,
        host_port("grpc", "grpc://orders:50051"),
    ];
    for input in inputs {
        let spec = input.validate().unwrap();
        let again = CheckInput::from_spec(&spec);
        assert_eq!(again.validate().unwrap(), spec, "{again:?}");
    }
}

#[test]
fn from_spec_writes_compact_text() {
    let mut input = http("http://a");
    input.expected_status = ["2xx", "200-204", "404", "100-199"]
        .map(|t| StatusInput::Text(t.into()))
        .into();
    let again = CheckInput::from_spec(&input.validate().unwrap());
    let expected_status = [
        StatusInput::Text("2xx".into()),
        StatusInput::Text("200-204".into()),
        StatusInput::Code(404),
        StatusInput::Text("1xx".into()),
    ];
    assert_eq!(again.expected_status, expected_status);
    assert_eq!(
        (again.url.as_deref(), again.target.as_deref()),
        (Some("http://a"), None)
    );
    assert_eq!(
        (again.interval.as_deref(), again.timeout.as_deref()),
        (Some("10s"), Some("5s"))
    );
    assert_eq!(again.method.as_deref(), Some("GET"));
    let tcp = CheckInput::from_spec(&host_port("tcp", "db:1").validate().unwrap());
    assert_eq!(
        (tcp.url, tcp.target.as_deref(), tcp.method),
        (None, Some("db:1"), None)
    );
}
