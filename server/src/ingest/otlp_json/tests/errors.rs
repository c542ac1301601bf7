//! Rejected requests: malformed JSON, and error messages that name the path of the problem.

use super::*;

#[test]
fn malformed_bodies_are_rejected() {
    assert_eq!(decode_error(b""), "request body is empty");
    assert_eq!(decode_error(b" \n "), "request body is empty");
    assert_error(
        "not json",
        &["invalid JSON at line 1 column 2: expected ident"],
    );
    assert_error(
        r#"{"resourceSpans":[]"#,
        &["invalid JSON at line 1", "EOF while parsing an object"],
    );
    assert_error(
        r#"{"resourceSpans":[]} x"#,
        &["invalid JSON at line 1 column 22: trailing characters"],
    );
    let message = decode_error(b"{\"resourceSpans\":[{\"schemaUrl\":\"\xff\"}]}");
    assert!(
        message.starts_with("invalid JSON at line 1")
            && message.contains("invalid unicode code point"),
        "{message}"
    );
}

#[test]
fn top_level_must_be_an_object() {
    assert_eq!(
        decode_error(b"[]"),
        "invalid OTLP/JSON: expected a JSON object, got an array"
    );
    assert_eq!(
        decode_error(b"null"),
        "invalid OTLP/JSON: expected a JSON object, got null"
    );
    assert_eq!(
        decode_error(b"\"x\""),
        "invalid OTLP/JSON: expected a JSON object, got a string"
    );
    assert_eq!(
        decode_error(b"12"),
        "invalid OTLP/JSON: expected a JSON object, got a number"
    );
}

#[test]
fn wrong_json_types_name_the_path() {
    assert_eq!(
        decode_error(br#"{"resourceSpans":{}}"#),
        "invalid OTLP/JSON at resourceSpans: expected a JSON array, got an object"
    );
    assert_error(
        &request_with_span(r#""traceId":5"#),
        &[
            "at resourceSpans[0].scopeSpans[0].spans[0].traceId: expected a hex string, got a number",
        ],
    );
    assert_error(
        &request_with_span(r#""name":["x"]"#),
        &["spans[0].name: expected a string, got an array"],
    );
    assert_error(
        &request_with_span(r#""status":"ok""#),
        &["spans[0].status: expected a JSON object, got a string"],
    );
    assert_error(
        r#"{"resourceSpans":[{},null]}"#,
        &["at resourceSpans[1]: list items must not be null"],
    );
    assert_error(
        &value_error_json(r#"{"boolValue":"true"}"#),
        &["value.boolValue: expected true or false, got a string"],
    );
}

#[test]
fn bad_hex_ids_name_the_problem_and_path() {
    assert_eq!(
        decode_error(
            request_with_span(r#""traceId":"5B8EFFF798038103D269B633813FC60""#).as_bytes()
        ),
        "invalid OTLP/JSON at resourceSpans[0].scopeSpans[0].spans[0].traceId: \
         hex string must have an even number of digits, got 31"
    );
    assert_error(
        &request_with_span(r#""spanId":"EEE19B7EC3C1B17G""#),
        &["spans[0].spanId: invalid hex character 'G' at position 15"],
    );
    assert_error(
        &request_with_span(r#""parentSpanId":"0x12""#),
        &["spans[0].parentSpanId: invalid hex character 'x'"],
    );
    assert_error(
        &request_with_span(r#""links":[{},{"traceId":"zz"}]"#),
        &["spans[0].links[1].traceId: invalid hex character 'z'"],
    );
}
