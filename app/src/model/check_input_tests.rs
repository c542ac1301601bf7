use super::*;

pub(super) fn http(url: &str) -> CheckInput {
    CheckInput {
        name: "checkout health".into(),
        service: "checkout".into(),
        check_type: "http".into(),
        url: Some(url.into()),
        ..CheckInput::default()
    }
}

pub(super) fn host_port(check_type: &str, target: &str) -> CheckInput {
    CheckInput {
        name: "db".into(),
        service: "postgres".into(),
        check_type: check_type.into(),
        target: Some(target.into()),
        ..CheckInput::default()
    }
}

pub(super) fn errors_of(input: &CheckInput) -> Vec<(String, String)> {
    let errors = input.validate().expect_err("should be rejected");
    let pairs = errors.into_iter().map(|error| (error.field, error.message));
    pairs.collect()
}

/// Exactly one error, on `field`, whose message contains `fragment`.
#[track_caller]
pub(super) fn assert_rejected(input: &CheckInput, field: &str, fragment: &str) {
    let errors = errors_of(input);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, field, "{errors:?}");
    assert!(
        errors[0].1.contains(fragment),
        "{errors:?} lacks {fragment:?}"
    );
}

pub(super) fn condition(
    json_path: Option<&str>,
    equals: Option<&str>,
    contains: Option<&str>,
) -> ConditionInput {
    ConditionInput {
        json_path: json_path.map(str::to_owned),
        equals: equals.map(str::to_owned),
        contains: contains.map(str::to_owned),
        ..ConditionInput::default()
    }
}

pub(super) fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    let owned = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    owned.collect()
}

#[test]
fn a_minimal_http_check_gets_the_defaults() {
    let spec = http("  https://shop.example/healthz  ").validate().unwrap();
    assert_eq!(
        spec,
        CheckSpec {
            name: "checkout health".into(),
            service: "checkout".into(),
            check_type: CheckType::Http,
            target: "https://shop.example/healthz".into(),
            method: "GET".into(),
            interval_ms: 10_000,
            timeout_ms: 5_000,
            expected_status: vec![],
            headers: BTreeMap::new(),
            conditions: vec![],
            failure_threshold: 3,
            success_threshold: 1,
            paused: false,
            labels: BTreeMap::new(),
            public: false,
        }
    );
}

#[test]
fn minimal_tcp_and_grpc_checks_get_the_defaults() {
    let tcp = host_port("tcp", "db.internal:5432").validate().unwrap();
    assert_eq!(
        (tcp.check_type, tcp.target.as_str()),
        (CheckType::Tcp, "db.internal:5432")
    );
    assert_eq!((tcp.interval_ms, tcp.timeout_ms), (10_000, 5_000));
    assert_eq!((tcp.failure_threshold, tcp.success_threshold), (3, 1));
    let grpc = host_port("grpc", "grpc://orders:50051").validate().unwrap();
    assert_eq!(
        (grpc.check_type, grpc.target.as_str()),
        (CheckType::Grpc, "orders:50051")
    );
    let grpc_v6 = host_port("gRPC", "[::1]:50051").validate().unwrap();
    assert_eq!(grpc_v6.target, "[::1]:50051");
}

#[test]
fn names_trim_and_type_ignores_case() {
    let mut input = http("http://a:8080");
    input.name = "  spaced  ".into();
    input.check_type = " HTTP ".into();
    let spec = input.validate().unwrap();
    assert_eq!(
        (spec.name.as_str(), spec.check_type),
        ("spaced", CheckType::Http)
    );
}

#[test]
fn name_and_service_rules() {
    let cases: [(&str, &str, &str); 6] = [
        ("name", "", "required"),
        ("name", "   ", "required"),
        ("name", "line\nbreak", "control characters"),
        ("service", "", "required"),
        ("service", "tab\there", "control characters"),
        ("service", &"s".repeat(201), "at most 200 characters"),
    ];
    for (field, value, fragment) in cases {
        let mut input = http("http://a");
        match field {
            "name" => input.name = value.into(),
            _ => input.service = value.into(),
        }
        assert_rejected(&input, field, fragment);
    }
    let mut input = http("http://a");
    input.name = "n".repeat(101);
    assert_rejected(&input, "name", "at most 100 characters");
    input.name = "é".repeat(100);
    assert!(
        input.validate().is_ok(),
        "the limit counts characters, not bytes"
    );
}

#[test]
fn the_type_must_be_one_of_three() {
    let mut input = http("http://a");
    input.check_type = String::new();
    assert_rejected(&input, "type", "choose http, tcp or grpc");
    input.check_type = "udp".into();
    assert_rejected(
        &input,
        "type",
        "unknown type \"udp\": choose http, tcp or grpc",
    );
}

#[test]
fn http_needs_a_url_and_accepts_target_as_a_synonym() {
    let mut input = http("");
    assert_rejected(&input, "url", "required");
    input.url = None;
    input.target = Some("http://a/x".into());
    assert_eq!(input.validate().unwrap().target, "http://a/x");
    input.url = Some("http://a/x".into());
    assert!(input.validate().is_ok(), "the same URL twice is harmless");
    input.url = Some("http://b/x".into());
    assert_rejected(&input, "target", "not both");
}

#[test]
fn http_urls_are_checked() {
    assert_rejected(
        &http("ftp://files.example/x"),
        "url",
        "unknown scheme \"ftp\": use http:// or https://",
    );
    assert_rejected(
        &http("shop.example/healthz"),
        "url",
        "must start with http:// or https://",
    );
    assert_rejected(&http("http://:80/"), "url", "host is missing");
    assert_rejected(&http("http://a:0/"), "url", "1 to 65535");
    assert_rejected(&http("http://user:pw@a/"), "url", "user name or password");
    let mut input = http("");
    input.url = None;
    input.target = Some("gopher://x".into());
    assert_rejected(&input, "target", "unknown scheme \"gopher\"");
}

#[test]
fn tcp_and_grpc_take_host_port_in_target_only() {
    assert_rejected(&host_port("tcp", "db"), "target", "needs a port");
    assert_rejected(&host_port("tcp", "db:99999"), "target", "1 to 65535");
    assert_rejected(
        &host_port("tcp", "tcp://db:5432"),
        "target",
        "without a scheme",
    );
    assert_rejected(
        &host_port("tcp", "grpc://db:5432"),
        "target",
        "without a scheme",
    );
    assert_rejected(&host_port("tcp", ""), "target", "required");
    let mut input = host_port("tcp", "");
    input.target = None;
    input.url = Some("db:5432".into());
    assert_rejected(&input, "url", "use target (host:port) for tcp checks");
    input.check_type = "grpc".into();
    assert_rejected(&input, "url", "use target (host:port) for grpc checks");
}

#[test]
fn method_is_uppercased_and_only_for_http() {
    let mut input = http("http://a");
    input.method = Some("post".into());
    assert_eq!(input.validate().unwrap().method, "POST");
    input.method = Some("  ".into());
    assert_eq!(
        input.validate().unwrap().method,
        "GET",
        "blank means the default"
    );
    for bad in ["GE T", "G3T", "PÖST", "ABCDEFGHIJKLMNOPQRSTU"] {
        input.method = Some(bad.into());
        assert_rejected(&input, "method", "is not a method");
    }
    let mut tcp = host_port("tcp", "db:5432");
    tcp.method = Some("GET".into());
    assert_rejected(
        &tcp,
        "method",
        "only http checks have a method, not tcp checks",
    );
}

#[test]
fn interval_rules() {
    let cases = [
        ("500ms", "at least 1s"),
        ("0", "at least 1s"),
        ("24h0m0.001s", "at most 24h"),
        (
            "ten seconds",
            "is not a duration: use e.g. 10s, 500ms or 1m30s",
        ),
        ("10", "is not a duration"),
        ("-5s", "is negative"),
    ];
    for (interval, fragment) in cases {
        let mut input = http("http://a");
        input.interval = Some(interval.into());
        assert_rejected(&input, "interval", fragment);
    }
    let mut input = http("http://a");
    for (interval, ms) in [
        ("1s", 1_000),
        ("1m30s", 90_000),
        ("24h", 86_400_000),
        ("1.5005s", 1_500),
    ] {
        input.interval = Some(interval.into());
        assert_eq!(input.validate().unwrap().interval_ms, ms, "{interval}");
    }
}

#[test]
fn timeout_rules() {
    let mut input = http("http://a");
    input.timeout = Some("11s".into());
    assert_rejected(
        &input,
        "timeout",
        "must not be longer than the interval (10s)",
    );
    input.interval = Some("1m30s".into());
    input.timeout = Some("2m".into());
    assert_rejected(
        &input,
        "timeout",
        "must not be longer than the interval (1m30s)",
    );
    for tiny in ["0s", "500us"] {
        input.timeout = Some(tiny.into());
        assert_rejected(&input, "timeout", "at least 1ms");
    }
    input.timeout = Some("1m30s".into());
    assert_eq!(
        input.validate().unwrap().timeout_ms,
        90_000,
        "equal to the interval is fine"
    );
}

#[test]
fn a_short_interval_caps_the_default_timeout() {
    let mut input = http("http://a");
    input.interval = Some("2s".into());
    let spec = input.validate().unwrap();
    assert_eq!((spec.interval_ms, spec.timeout_ms), (2_000, 2_000));
    input.interval = Some("1m".into());
    assert_eq!(input.validate().unwrap().timeout_ms, 5_000);
}

#[test]
fn thresholds_are_from_1_to_100() {
    let mut input = http("http://a");
    input.failure_threshold = Some(100);
    input.success_threshold = Some(1);
    assert!(input.validate().is_ok());
    input.failure_threshold = Some(0);
    assert_rejected(&input, "failure_threshold", "from 1 to 100");
    input.failure_threshold = None;
    input.success_threshold = Some(101);
    assert_rejected(&input, "success_threshold", "from 1 to 100");
}

#[test]
fn every_error_is_reported_at_once() {
    let fields: Vec<_> = errors_of(&CheckInput::default())
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(fields, ["name", "service", "type"]);
    let mut input = http("ftp://x");
    input.name = String::new();
    input.method = Some("G3T".into());
    input.interval = Some("100ms".into());
    input.timeout = Some("soon".into());
    input.expected_status = vec![StatusInput::Code(700)];
    input.headers = map(&[("bad name", "v")]);
    input.conditions = vec![ConditionInput::default()];
    input.failure_threshold = Some(0);
    input.success_threshold = Some(0);
    input.labels = map(&[("bad key", "v")]);
    let fields: Vec<_> = errors_of(&input).into_iter().map(|(f, _)| f).collect();
    let expected = [
        "name",
        "url",
        "method",
        "interval",
        "timeout",
        "expected_status",
        "headers",
        "conditions",
        "failure_threshold",
        "success_threshold",
        "labels",
    ];
    assert_eq!(fields, expected);
}

#[test]
fn an_unknown_type_still_checks_the_http_fields() {
    let mut input = http("http://a");
    input.check_type = "icmp".into();
    input.headers = map(&[("bad name", "v")]);
    let fields: Vec<_> = errors_of(&input).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["type", "headers"]);
}
