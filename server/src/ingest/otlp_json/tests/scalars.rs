//! Scalar conversions: hex ids, integers given as strings or numbers, and enums.

use opentelemetry_proto::tonic::trace::v1::Status;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;

use super::*;

#[test]
fn hex_ids_are_case_insensitive() {
    let upper =
        decode_span(r#""traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174""#);
    let lower =
        decode_span(r#""traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174""#);
    assert_eq!(upper, lower);
    assert_eq!(upper.trace_id.len(), 16);
    assert_eq!(upper.span_id, hex("eee19b7ec3c1b174"));
}

#[test]
fn hex_ids_of_any_even_length_decode_and_empty_means_empty() {
    let span = decode_span(r#""traceId":"abCD","spanId":"","parentSpanId":null"#);
    assert_eq!(span.trace_id, vec![0xAB, 0xCD]);
    assert!(span.span_id.is_empty());
    assert!(span.parent_span_id.is_empty());
}

#[test]
fn times_accept_strings_and_numbers() {
    let span = decode_span(
        r#""startTimeUnixNano":"18446744073709551615","endTimeUnixNano":1544712661000000000"#,
    );
    assert_eq!(span.start_time_unix_nano, u64::MAX);
    assert_eq!(span.end_time_unix_nano, 1_544_712_661_000_000_000);
    // An integral number in exponent form is still an integer.
    assert_eq!(
        decode_span(r#""startTimeUnixNano":1e3"#).start_time_unix_nano,
        1000
    );
}

#[test]
fn int_values_accept_strings_numbers_and_negatives() {
    assert_eq!(
        decode_value(r#"{"intValue":"42"}"#),
        Some(Value::IntValue(42))
    );
    assert_eq!(
        decode_value(r#"{"intValue":42}"#),
        Some(Value::IntValue(42))
    );
    assert_eq!(
        decode_value(r#"{"intValue":-7}"#),
        Some(Value::IntValue(-7))
    );
    assert_eq!(
        decode_value(r#"{"intValue":"-9223372036854775808"}"#),
        Some(Value::IntValue(i64::MIN))
    );
    assert_eq!(
        decode_value(r#"{"intValue":9223372036854775807}"#),
        Some(Value::IntValue(i64::MAX))
    );
}

#[test]
fn out_of_range_integers_are_rejected() {
    let at = format!("at {VALUE_PATH}.intValue: ");
    let message = value_error(r#"{"intValue":"9223372036854775808"}"#);
    assert!(
        message.contains(&at)
            && message.contains("\"9223372036854775808\" is out of range for int64"),
        "{message}"
    );
    let message = value_error(r#"{"intValue":99999999999999999999999}"#);
    assert!(
        message.contains(&at) && message.contains("out of range for int64"),
        "{message}"
    );
    let message = value_error(r#"{"intValue":"999999999999999999999999999999999999999999"}"#);
    assert!(message.contains("out of range for int64"), "{message}");
    assert_error(
        &request_with_span(r#""endTimeUnixNano":-1"#),
        &["spans[0].endTimeUnixNano", "-1 is out of range for uint64"],
    );
    assert_error(
        &request_with_span(r#""flags":4294967296"#),
        &["spans[0].flags", "out of range for uint32"],
    );
    assert_error(
        &request_with_span(r#""kind":2147483648"#),
        &["spans[0].kind", "out of range for int32"],
    );
}

#[test]
fn non_integers_are_rejected() {
    let message = value_error(r#"{"intValue":1.5}"#);
    assert_eq!(
        message,
        format!("invalid OTLP/JSON at {VALUE_PATH}.intValue: expected an integer, got 1.5")
    );
    assert_error(
        &request_with_span(r#""startTimeUnixNano":"12abc""#),
        &["startTimeUnixNano: expected an integer, got \"12abc\""],
    );
    assert_error(
        &request_with_span(r#""droppedEventsCount":true"#),
        &["droppedEventsCount: expected an integer, got a boolean"],
    );
}

#[test]
fn enum_names_are_accepted() {
    let span = decode_span(
        r#""kind":"SPAN_KIND_CLIENT","status":{"code":"STATUS_CODE_ERROR","message":"boom"}"#,
    );
    assert_eq!(span.kind, SpanKind::Client as i32);
    assert_eq!(
        span.status,
        Some(Status {
            code: StatusCode::Error as i32,
            message: "boom".into(),
        })
    );
    assert_eq!(
        decode_span(r#""kind":4,"status":{"code":1}"#)
            .status
            .map(|s| s.code),
        Some(StatusCode::Ok as i32)
    );
    // Unknown numbers are kept (proto3 enums are open); unknown names are errors.
    assert_eq!(decode_span(r#""kind":9"#).kind, 9);
    assert_error(
        &request_with_span(r#""kind":"SPAN_KIND_BOGUS""#),
        &["spans[0].kind: unknown span kind \"SPAN_KIND_BOGUS\""],
    );
}
