use super::*;

/// 2023-11-14T22:13:20Z, a round number of seconds.
const NOW_NS: i64 = 1_700_000_000_000_000_000;
const SECOND: i64 = 1_000_000_000;
const TWO_DAYS_NS: i64 = 48 * 3600 * SECOND;

type Raw<'a> = &'a [(&'a str, &'a str)];

fn pairs(raw: Raw) -> Vec<(String, String)> {
    raw.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn trace_query(raw: Raw) -> TraceQuery {
    parse_trace_query(&pairs(raw), NOW_NS).expect("valid query")
}

fn traces(raw: Raw) -> Result<TraceQuery, ParamError> {
    parse_trace_query(&pairs(raw), NOW_NS)
}

fn dependencies(raw: Raw) -> Result<DependenciesQuery, ParamError> {
    parse_dependencies_query(&pairs(raw), NOW_NS)
}

fn operations(raw: Raw) -> Result<OperationsQuery, ParamError> {
    parse_operations_query(&pairs(raw))
}

/// One test per rejected input, because the HTTP layer turns each into a 400
/// whose body must name the parameter: `name: parser [pairs] => parameter,
/// exact message` (or `starts_with prefix` when the tail comes from serde).
macro_rules! rejects {
    ($($name:ident: $parse:ident [$(($k:literal, $v:expr)),*] => $parameter:literal,
        $check:ident $message:expr;)*) => {$(
        #[test]
        fn $name() {
            let error = $parse(&[$(($k, $v)),*]).expect_err("input must be rejected");
            assert_eq!(error.parameter, $parameter, "{error:?}");
            assert_eq!(error.to_string(), error.message);
            rejects!(@$check error.message, $message);
        }
    )*};
    (@exactly $actual:expr, $expected:expr) => { assert_eq!($actual, $expected) };
    (@starts_with $actual:expr, $prefix:expr) => {
        assert!($actual.starts_with($prefix), "{}", $actual)
    };
}

// ---- /api/traces: accepted queries ----

#[test]
fn defaults_cover_the_two_days_before_now() {
    let query = trace_query(&[("service", "checkout")]);
    assert_eq!(query.service.as_deref(), Some("checkout"));
    assert_eq!(query.operation, None);
    assert_eq!(
        (query.start_ns, query.end_ns),
        (NOW_NS - TWO_DAYS_NS, NOW_NS)
    );
    assert_eq!(query.limit, 20);
    assert!(query.tags.is_empty() && query.trace_ids.is_empty());
    assert_eq!((query.min_duration_ns, query.max_duration_ns), (None, None));
}

#[test]
fn start_and_end_are_microseconds() {
    let raw = [
        ("service", "s"),
        ("start", "1700000000000000"),
        ("end", "1700000060000000"),
    ];
    let query = trace_query(&raw);
    assert_eq!(
        (query.start_ns, query.end_ns),
        (NOW_NS, NOW_NS + 60 * SECOND)
    );
}

#[test]
fn lookback_applies_only_when_start_is_absent() {
    let hour = trace_query(&[
        ("service", "s"),
        ("end", "1700000000000000"),
        ("lookback", "1h"),
    ]);
    assert_eq!(hour.start_ns, NOW_NS - 3600 * SECOND);
    let days = trace_query(&[("service", "s"), ("lookback", "2d")]);
    assert_eq!(days.start_ns, NOW_NS - 2 * 86_400 * SECOND);
    let custom = trace_query(&[("service", "s"), ("lookback", "custom")]);
    assert_eq!(custom.start_ns, NOW_NS - TWO_DAYS_NS);
    let ignored = trace_query(&[("service", "s"), ("start", "1"), ("lookback", "bogus")]);
    assert_eq!(ignored.start_ns, 1_000);
}

#[test]
fn empty_values_count_as_absent_and_first_value_wins() {
    let query = trace_query(&[
        ("service", "first"),
        ("service", "second"),
        ("operation", ""),
        ("start", ""),
        ("limit", ""),
        ("minDuration", ""),
    ]);
    assert_eq!(query.service.as_deref(), Some("first"));
    assert_eq!(query.operation, None);
    assert_eq!(query.start_ns, NOW_NS - TWO_DAYS_NS);
    assert_eq!(query.limit, 20);
    assert_eq!(query.min_duration_ns, None);
}

#[test]
fn unknown_parameters_are_ignored() {
    let raw = [
        ("service", "s"),
        ("prettyPrint", "true"),
        ("raw", "x"),
        ("spanKind", "??"),
    ];
    assert_eq!(trace_query(&raw).service.as_deref(), Some("s"));
}

#[test]
fn limit_zero_means_default_and_large_limits_are_capped() {
    for (text, limit) in [
        ("0", 20),
        ("7", 7),
        ("+8", 8),
        ("1500", 1500),
        ("99999", 1500),
    ] {
        assert_eq!(
            trace_query(&[("service", "s"), ("limit", text)]).limit,
            limit
        );
    }
}

#[test]
fn durations_use_go_syntax_and_may_be_equal() {
    let raw = [
        ("service", "s"),
        ("minDuration", "1.5ms"),
        ("maxDuration", "1500us"),
    ];
    let query = trace_query(&raw);
    assert_eq!(query.min_duration_ns, Some(1_500_000));
    assert_eq!(query.max_duration_ns, Some(1_500_000));
}

#[test]
fn zero_durations_mean_no_bound() {
    let query = trace_query(&[
        ("service", "s"),
        ("minDuration", "1s"),
        ("maxDuration", "0"),
    ]);
    assert_eq!(
        (query.min_duration_ns, query.max_duration_ns),
        (Some(SECOND), None)
    );
    let query = trace_query(&[("service", "s"), ("minDuration", "0s")]);
    assert_eq!(query.min_duration_ns, None);
}

#[test]
fn tags_merge_from_tag_and_json_with_later_values_winning() {
    let query = trace_query(&[
        ("service", "s"),
        ("tag", "http.url:http://x:80/a"),
        ("tag", "error:false"),
        (
            "tags",
            r#"{"error":true,"http.status_code":500,"peer":"db","ratio":0.5}"#,
        ),
        ("tag", "empty:"),
    ]);
    let expected = [
        ("http.url", "http://x:80/a"),
        ("error", "true"),
        ("empty", ""),
        ("http.status_code", "500"),
        ("peer", "db"),
        ("ratio", "0.5"),
    ];
    assert_eq!(query.tags, pairs(&expected));
}

#[test]
fn trace_ids_make_service_optional() {
    let query = trace_query(&[
        ("traceID", "abc"),
        ("traceID", "0123456789abcdef0123456789ABCDEF"),
    ]);
    assert_eq!(query.service, None);
    assert_eq!(query.trace_ids.len(), 2);
    assert_eq!(query.trace_ids[0][13..], [0x00, 0x0a, 0xbc]);
}

// ---- /api/traces: one test per rejected parameter ----

rejects! {
    missing_service_is_rejected: traces [("operation", "GET /")] => "service",
        exactly "parameter 'service' is required";
    empty_service_is_rejected: traces [("service", "")] => "service",
        exactly "parameter 'service' is required";
    non_integer_start_is_rejected: traces [("service", "s"), ("start", "yesterday")] => "start",
        exactly r#"unable to parse param 'start': strconv.ParseInt: parsing "yesterday": invalid syntax"#;
    non_integer_end_is_rejected: traces [("service", "s"), ("end", "1.5")] => "end",
        exactly r#"unable to parse param 'end': strconv.ParseInt: parsing "1.5": invalid syntax"#;
    start_beyond_i64_is_rejected: traces [("service", "s"), ("start", "99999999999999999999")] => "start",
        exactly r#"unable to parse param 'start': strconv.ParseInt: parsing "99999999999999999999": value out of range"#;
    start_beyond_nanoseconds_is_rejected: traces [("service", "s"), ("start", "9223372036854775807")] => "start",
        exactly "unable to parse param 'start': time 9223372036854775807 is out of range";
    start_after_end_is_rejected: traces [("service", "s"), ("start", "2000"), ("end", "1000")] => "start",
        exactly "'start' should not be later than 'end'";
    invalid_lookback_is_rejected: traces [("service", "s"), ("lookback", "2weeks")] => "lookback",
        exactly r#"unable to parse param 'lookback': time: unknown unit "weeks" in duration "2weeks""#;
    negative_lookback_is_rejected: traces [("service", "s"), ("lookback", "-1h")] => "lookback",
        exactly r#"unable to parse param 'lookback': negative duration "-1h" is not allowed"#;
    tags_that_are_not_json_are_rejected: traces [("service", "s"), ("tags", "error=true")] => "tags",
        starts_with "malformed 'tags' parameter, cannot unmarshal JSON: ";
    tags_array_is_rejected: traces [("service", "s"), ("tags", r#"["a","b"]"#)] => "tags",
        starts_with "malformed 'tags' parameter, cannot unmarshal JSON: ";
    tags_null_is_rejected: traces [("service", "s"), ("tags", "null")] => "tags",
        starts_with "malformed 'tags' parameter, cannot unmarshal JSON: ";
    tags_with_object_value_are_rejected: traces [("service", "s"), ("tags", r#"{"a":{"b":1}}"#)] => "tags",
        exactly r#"malformed 'tags' parameter, cannot unmarshal JSON: value of "a" must be a string, number or boolean, got {"b":1}"#;
    tags_with_null_value_are_rejected: traces [("service", "s"), ("tags", r#"{"a":null}"#)] => "tags",
        exactly r#"malformed 'tags' parameter, cannot unmarshal JSON: value of "a" must be a string, number or boolean, got null"#;
    tag_without_colon_is_rejected: traces [("service", "s"), ("tag", "error")] => "tag",
        exactly "malformed 'tag' parameter, expecting key:value, received: error";
    non_integer_limit_is_rejected: traces [("service", "s"), ("limit", "ten")] => "limit",
        exactly r#"unable to parse param 'limit': strconv.ParseInt: parsing "ten": invalid syntax"#;
    negative_limit_is_rejected: traces [("service", "s"), ("limit", "-1")] => "limit",
        exactly r#"unable to parse param 'limit': must be a non-negative integer, got "-1""#;
    overflowing_limit_is_rejected: traces [("service", "s"), ("limit", "99999999999999999999")] => "limit",
        exactly r#"unable to parse param 'limit': strconv.ParseInt: parsing "99999999999999999999": value out of range"#;
    invalid_min_duration_is_rejected: traces [("service", "s"), ("minDuration", "abc")] => "minDuration",
        exactly r#"unable to parse param 'minDuration': time: invalid duration "abc""#;
    unitless_max_duration_is_rejected: traces [("service", "s"), ("maxDuration", "10")] => "maxDuration",
        exactly r#"unable to parse param 'maxDuration': time: missing unit in duration "10""#;
    negative_min_duration_is_rejected: traces [("service", "s"), ("minDuration", "-1s")] => "minDuration",
        exactly r#"unable to parse param 'minDuration': negative duration "-1s" is not allowed"#;
    min_duration_above_max_is_rejected:
        traces [("service", "s"), ("minDuration", "2s"), ("maxDuration", "1s")] => "maxDuration",
        exactly "'maxDuration' should be greater than 'minDuration'";
    non_hex_trace_id_is_rejected: traces [("traceID", "xyz")] => "traceID",
        exactly r#"cannot parse traceID param: strconv.ParseUint: parsing "xyz": invalid syntax"#;
    empty_trace_id_is_rejected: traces [("service", "s"), ("traceID", "")] => "traceID",
        exactly r#"cannot parse traceID param: strconv.ParseUint: parsing "": invalid syntax"#;
    overlong_trace_id_is_rejected: traces [("traceID", "0".repeat(33).as_str())] => "traceID",
        exactly format!("cannot parse traceID param: TraceID cannot be longer than 32 hex characters: {}", "0".repeat(33));
}

// ---- trace ids and durations ----

#[test]
fn trace_ids_are_left_padded_big_endian() {
    let mut expected = [0u8; 16];
    expected[14..].copy_from_slice(&[0x0a, 0xbc]);
    assert_eq!(parse_trace_id("abc"), Ok(expected));
    assert_eq!(parse_trace_id("0"), Ok([0; 16]));
    let full = parse_trace_id("0102030405060708090a0b0c0d0e0F10").expect("valid");
    assert_eq!(full, core::array::from_fn(|i| i as u8 + 1));
    for bad in ["+abc", "ab c", "0x12", "é", "-1"] {
        assert_eq!(
            parse_trace_id(bad).map_err(|e| e.parameter),
            Err("traceID"),
            "{bad}"
        );
    }
}

#[test]
fn go_durations_parse_like_go() {
    let cases = [
        ("0", 0),
        ("-0", 0),
        ("+5s", 5 * SECOND),
        ("1.2s", 1_200_000_000),
        ("500ms", 500_000_000),
        ("1h30m", 5400 * SECOND),
        ("2us", 2_000),
        ("2\u{b5}s", 2_000),
        ("2\u{3bc}s", 2_000),
        ("3ns", 3),
        (".5s", 500_000_000),
        ("5.s", 5 * SECOND),
        ("1.0000000001s", SECOND),
        ("0.000000000000000000001h", 0),
        ("1.5h", 5400 * SECOND),
        ("9223372036854775807ns", i64::MAX),
    ];
    for (text, nanos) in cases {
        assert_eq!(parse_go_duration(text), Ok(nanos), "{text}");
    }
}

#[test]
fn go_duration_errors_read_like_go() {
    let cases = [
        ("", r#"time: invalid duration """#),
        ("-", r#"time: invalid duration "-""#),
        (".s", r#"time: invalid duration ".s""#),
        ("s", r#"time: invalid duration "s""#),
        ("1", r#"time: missing unit in duration "1""#),
        ("1.5.5s", r#"time: missing unit in duration "1.5.5s""#),
        ("1x", r#"time: unknown unit "x" in duration "1x""#),
        ("2d", r#"time: unknown unit "d" in duration "2d""#),
        (
            "9223372036854775808ns",
            r#"time: invalid duration "9223372036854775808ns""#,
        ),
        (
            "99999999999999999999ns",
            r#"time: invalid duration "99999999999999999999ns""#,
        ),
        ("3000000h", r#"time: invalid duration "3000000h""#),
        (
            "2562047h47m16.854775808s",
            r#"time: invalid duration "2562047h47m16.854775808s""#,
        ),
        ("-1s", r#"negative duration "-1s" is not allowed"#),
    ];
    for (text, message) in cases {
        assert_eq!(parse_go_duration(text), Err(message.to_string()), "{text}");
    }
}

// ---- /api/dependencies ----

#[test]
fn dependencies_default_to_a_day_before_now() {
    let day = 86_400 * SECOND;
    let query = dependencies(&[]);
    assert_eq!(
        query,
        Ok(DependenciesQuery {
            end_ns: NOW_NS,
            lookback_ns: day
        })
    );
    let query = dependencies(&[
        ("endTs", "1700000000000"),
        ("lookback", "3600000"),
        ("x", "y"),
    ]);
    let expected = DependenciesQuery {
        end_ns: NOW_NS,
        lookback_ns: 3600 * SECOND,
    };
    assert_eq!(query, Ok(expected));
    let query = dependencies(&[("endTs", ""), ("lookback", "")]);
    assert_eq!(
        query,
        Ok(DependenciesQuery {
            end_ns: NOW_NS,
            lookback_ns: day
        })
    );
}

rejects! {
    non_integer_end_ts_is_rejected: dependencies [("endTs", "now")] => "endTs",
        exactly r#"unable to parse param 'endTs': strconv.ParseInt: parsing "now": invalid syntax"#;
    zero_end_ts_is_rejected: dependencies [("endTs", "0")] => "endTs",
        exactly "unable to parse param 'endTs': must be a positive integer, got 0";
    end_ts_out_of_range_is_rejected: dependencies [("endTs", "9223372036854775")] => "endTs",
        exactly "unable to parse param 'endTs': time 9223372036854775 is out of range";
    non_integer_dependency_lookback_is_rejected: dependencies [("lookback", "1h")] => "lookback",
        exactly r#"unable to parse param 'lookback': strconv.ParseInt: parsing "1h": invalid syntax"#;
    negative_dependency_lookback_is_rejected: dependencies [("lookback", "-5")] => "lookback",
        exactly "unable to parse param 'lookback': must be a positive integer, got -5";
}

// ---- /api/operations ----

#[test]
fn operations_accept_every_span_kind_case_insensitively() {
    use SpanKindFilter::*;
    for kind in [Server, Client, Producer, Consumer, Internal, Unspecified] {
        let upper = kind.as_str().to_uppercase();
        let query = operations(&[("service", "s"), ("spanKind", upper.as_str())]);
        let expected = OperationsQuery {
            service: "s".into(),
            span_kind: Some(kind),
        };
        assert_eq!(query, Ok(expected));
    }
    let query = operations(&[("service", "s"), ("spanKind", "")]);
    assert_eq!(
        query,
        Ok(OperationsQuery {
            service: "s".into(),
            span_kind: None
        })
    );
}

#[test]
fn span_kind_names_match_jaeger() {
    let names: Vec<_> = [SpanKindFilter::Server, SpanKindFilter::Unspecified]
        .map(SpanKindFilter::as_str)
        .into();
    assert_eq!(names, ["server", "unspecified"]);
}

rejects! {
    operations_without_service_are_rejected: operations [("spanKind", "server")] => "service",
        exactly "parameter 'service' is required";
    operations_with_empty_service_are_rejected: operations [("service", "")] => "service",
        exactly "parameter 'service' is required";
    unknown_span_kind_is_rejected: operations [("service", "s"), ("spanKind", "sever")] => "spanKind",
        exactly "unable to parse param 'spanKind': unsupported span kind: 'sever'";
}
