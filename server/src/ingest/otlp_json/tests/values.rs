//! Attribute values: every `AnyValue` member, nesting and its limit.

use opentelemetry_proto::tonic::common::v1::{ArrayValue, KeyValue, KeyValueList};

use super::*;

#[test]
fn nested_kvlist_in_array_in_kvlist() {
    let value = decode_value(
        r#"{"kvlistValue":{"values":[
            {"key":"list","value":{"arrayValue":{"values":[
                {"kvlistValue":{"values":[{"key":"inner","value":{"boolValue":true}}]}},
                {"stringValue":"s"}
            ]}}}
        ]}}"#,
    );
    let inner = KeyValueList {
        values: vec![KeyValue {
            key: "inner".into(),
            value: Some(AnyValue {
                value: Some(Value::BoolValue(true)),
            }),
            key_strindex: 0,
        }],
    };
    let array = ArrayValue {
        values: vec![
            AnyValue {
                value: Some(Value::KvlistValue(inner)),
            },
            string_value("s").expect("value"),
        ],
    };
    let expected = KeyValueList {
        values: vec![KeyValue {
            key: "list".into(),
            value: Some(AnyValue {
                value: Some(Value::ArrayValue(array)),
            }),
            key_strindex: 0,
        }],
    };
    assert_eq!(value, Some(Value::KvlistValue(expected)));
}

#[test]
fn scalar_any_values() {
    assert_eq!(
        decode_value(r#"{"boolValue":false}"#),
        Some(Value::BoolValue(false))
    );
    assert_eq!(
        decode_value(r#"{"doubleValue":1.25}"#),
        Some(Value::DoubleValue(1.25))
    );
    assert_eq!(
        decode_value(r#"{"doubleValue":3}"#),
        Some(Value::DoubleValue(3.0))
    );
    assert_eq!(
        decode_value(r#"{"doubleValue":"Infinity"}"#),
        Some(Value::DoubleValue(f64::INFINITY))
    );
    assert_eq!(
        decode_value(r#"{"doubleValue":"-Infinity"}"#),
        Some(Value::DoubleValue(f64::NEG_INFINITY))
    );
    assert_eq!(
        decode_value(r#"{"doubleValue":"-2.5"}"#),
        Some(Value::DoubleValue(-2.5))
    );
    match decode_value(r#"{"doubleValue":"NaN"}"#) {
        Some(Value::DoubleValue(v)) => assert!(v.is_nan()),
        other => panic!("expected NaN, got {other:?}"),
    }
    assert_error(
        &value_error_json(r#"{"doubleValue":"inf"}"#),
        &["doubleValue: expected a number, \"NaN\""],
    );
}

#[test]
fn bytes_values_are_base64_padded_unpadded_or_url_safe() {
    let expected = Some(Value::BytesValue(vec![0xFB, 0xFF, 0x01]));
    assert_eq!(decode_value(r#"{"bytesValue":"+/8B"}"#), expected);
    assert_eq!(decode_value(r#"{"bytesValue":"-_8B"}"#), expected);
    let hello = Some(Value::BytesValue(b"hello".to_vec()));
    assert_eq!(decode_value(r#"{"bytesValue":"aGVsbG8="}"#), hello);
    assert_eq!(decode_value(r#"{"bytesValue":"aGVsbG8"}"#), hello);
    assert_error(
        &value_error_json(r#"{"bytesValue":"a*b="}"#),
        &["bytesValue: invalid base64"],
    );
}

#[test]
fn empty_and_null_any_values() {
    let span = decode_span(
        r#""attributes":[{"key":"a","value":{}},{"key":"b","value":null},{"key":"c"}]"#,
    );
    assert_eq!(span.attributes[0].value, Some(AnyValue { value: None }));
    assert_eq!(span.attributes[1].value, None);
    assert_eq!(span.attributes[2].value, None);
    // A null oneof member means "not set", so the other member wins.
    assert_eq!(
        decode_value(r#"{"stringValue":null,"intValue":"5"}"#),
        Some(Value::IntValue(5))
    );
}

#[test]
fn any_value_with_two_values_is_rejected() {
    let message = value_error(r#"{"stringValue":"a","intValue":1}"#);
    assert!(
        message.contains(&format!(
            "{VALUE_PATH}.intValue: AnyValue must have exactly one value field"
        )),
        "{message}"
    );
}

/// `depth` levels of `kvlistValue` around a string, inside an event attribute (the deepest
/// place attributes appear).
fn nested_kvlist_request(depth: usize) -> String {
    let mut value = r#"{"stringValue":"leaf"}"#.to_owned();
    for _ in 0..depth {
        value = format!(r#"{{"kvlistValue":{{"values":[{{"key":"k","value":{value}}}]}}}}"#);
    }
    request_with_span(&format!(
        r#""events":[{{"attributes":[{{"key":"k","value":{value}}}]}}]"#
    ))
}

#[test]
fn nesting_up_to_the_limit_decodes() {
    let request = decode(&nested_kvlist_request(MAX_ANY_VALUE_DEPTH));
    let mut value = only_span(&request).events[0].attributes[0].value.clone();
    let mut levels = 0;
    while let Some(AnyValue {
        value: Some(Value::KvlistValue(list)),
    }) = value
    {
        value = list.values[0].value.clone();
        levels += 1;
    }
    assert_eq!(levels, MAX_ANY_VALUE_DEPTH);
    assert_eq!(value, string_value("leaf"));
}

#[test]
fn too_deep_nesting_is_rejected() {
    let message = decode_error(nested_kvlist_request(MAX_ANY_VALUE_DEPTH + 1).as_bytes());
    assert!(
        message.contains("attribute values are nested more than 24 levels deep"),
        "{message}"
    );
    assert!(message.contains("at resourceSpans[0].scopeSpans[0].spans[0].events[0].attributes[0].value.kvlistValue.values[0]"), "{message}");

    let mut arrays = r#"{"boolValue":true}"#.to_owned();
    for _ in 0..100 {
        arrays = format!(r#"{{"arrayValue":{{"values":[{arrays}]}}}}"#);
    }
    assert!(value_error(&arrays).contains("nested more than 24 levels deep"));

    // serde_json skips ignored fields without recursing, so deep nesting there is harmless.
    let garbage = format!(r#"{{"x":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(decode(&garbage), ExportTraceServiceRequest::default());
}
