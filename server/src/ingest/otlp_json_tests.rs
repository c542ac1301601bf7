use super::*;

fn decode(json: &str) -> ExportTraceServiceRequest {
    match decode_trace_request(json.as_bytes()) {
        Ok(request) => request,
        Err(e) => panic!("decode failed: {e}\ninput: {json}"),
    }
}

fn decode_error(json: &[u8]) -> String {
    match decode_trace_request(json) {
        Ok(request) => panic!("expected an error, decoded {request:?}"),
        Err(e) => e.to_string(),
    }
}

fn assert_error(json: &str, expected_parts: &[&str]) {
    let message = decode_error(json.as_bytes());
    for part in expected_parts {
        assert!(
            message.contains(part),
            "{message:?} does not contain {part:?}"
        );
    }
}

/// A request with one span made of `span_fields` (JSON object members, without braces).
fn request_with_span(span_fields: &str) -> String {
    format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{{span_fields}}}]}}]}}]}}"#)
}

fn only_span(request: &ExportTraceServiceRequest) -> &Span {
    assert_eq!(request.resource_spans.len(), 1);
    assert_eq!(request.resource_spans[0].scope_spans.len(), 1);
    assert_eq!(request.resource_spans[0].scope_spans[0].spans.len(), 1);
    &request.resource_spans[0].scope_spans[0].spans[0]
}

fn decode_span(span_fields: &str) -> Span {
    only_span(&decode(&request_with_span(span_fields))).clone()
}

/// Decodes `value_json` as the value of a span attribute.
fn decode_value(value_json: &str) -> Option<Value> {
    let span = decode_span(&format!(
        r#""attributes":[{{"key":"k","value":{value_json}}}]"#
    ));
    span.attributes[0].value.clone().and_then(|v| v.value)
}

/// Where an attribute value error is reported by `decode_value`-style requests.
const VALUE_PATH: &str = "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value";

fn value_error(value_json: &str) -> String {
    let json = request_with_span(&format!(
        r#""attributes":[{{"key":"k","value":{value_json}}}]"#
    ));
    decode_error(json.as_bytes())
}

fn string_value(text: &str) -> Option<AnyValue> {
    Some(AnyValue {
        value: Some(Value::StringValue(text.to_owned())),
    })
}

fn hex(text: &str) -> Vec<u8> {
    decode_hex(text).expect("valid hex in test")
}

/// `examples/trace.json` from the opentelemetry-proto repository.
const SPEC_EXAMPLE: &str = r#"{
  "resourceSpans": [
    {
      "resource": {
        "attributes": [
          { "key": "service.name", "value": { "stringValue": "my.service" } }
        ]
      },
      "scopeSpans": [
        {
          "scope": {
            "name": "my.library",
            "version": "1.0.0",
            "attributes": [
              { "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }
            ]
          },
          "spans": [
            {
              "traceId": "5B8EFFF798038103D269B633813FC60C",
              "spanId": "EEE19B7EC3C1B174",
              "parentSpanId": "EEE19B7EC3C1B173",
              "name": "I'm a server span",
              "startTimeUnixNano": "1544712660000000000",
              "endTimeUnixNano": "1544712661000000000",
              "kind": 2,
              "attributes": [
                { "key": "my.span.attr", "value": { "stringValue": "some value" } }
              ]
            }
          ]
        }
      ]
    }
  ]
}"#;

#[test]
fn decodes_the_spec_example() {
    let request = decode(SPEC_EXAMPLE);
    let resource_spans = &request.resource_spans[0];
    let resource = resource_spans.resource.as_ref().expect("resource");
    assert_eq!(
        resource.attributes,
        vec![KeyValue {
            key: "service.name".into(),
            value: string_value("my.service"),
            key_strindex: 0,
        }]
    );
    assert_eq!(resource.dropped_attributes_count, 0);
    assert_eq!(resource_spans.schema_url, "");

    let scope_spans = &resource_spans.scope_spans[0];
    let scope = scope_spans.scope.as_ref().expect("scope");
    assert_eq!(scope.name, "my.library");
    assert_eq!(scope.version, "1.0.0");
    assert_eq!(scope.attributes.len(), 1);
    assert_eq!(scope.attributes[0].key, "my.scope.attribute");
    assert_eq!(
        scope.attributes[0].value,
        string_value("some scope attribute")
    );

    let span = only_span(&request);
    let expected = Span {
        trace_id: vec![
            0x5B, 0x8E, 0xFF, 0xF7, 0x98, 0x03, 0x81, 0x03, 0xD2, 0x69, 0xB6, 0x33, 0x81, 0x3F,
            0xC6, 0x0C,
        ],
        span_id: vec![0xEE, 0xE1, 0x9B, 0x7E, 0xC3, 0xC1, 0xB1, 0x74],
        parent_span_id: vec![0xEE, 0xE1, 0x9B, 0x7E, 0xC3, 0xC1, 0xB1, 0x73],
        name: "I'm a server span".into(),
        start_time_unix_nano: 1_544_712_660_000_000_000,
        end_time_unix_nano: 1_544_712_661_000_000_000,
        kind: SpanKind::Server as i32,
        attributes: vec![KeyValue {
            key: "my.span.attr".into(),
            value: string_value("some value"),
            key_strindex: 0,
        }],
        ..Span::default()
    };
    assert_eq!(*span, expected);
}

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

fn value_error_json(value_json: &str) -> String {
    request_with_span(&format!(
        r#""attributes":[{{"key":"k","value":{value_json}}}]"#
    ))
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

#[test]
fn snake_case_field_names_are_accepted() {
    let snake = r#"{"resource_spans":[{"resource":{"attributes":[],"dropped_attributes_count":1},
        "schema_url":"r","scope_spans":[{"schema_url":"s","scope":{"name":"n","dropped_attributes_count":2},
        "spans":[{"trace_id":"0102","span_id":"03","parent_span_id":"04","trace_state":"t=1",
          "start_time_unix_nano":"1","end_time_unix_nano":2,"dropped_attributes_count":3,
          "dropped_events_count":4,"dropped_links_count":5,
          "events":[{"time_unix_nano":"6","dropped_attributes_count":7}],
          "links":[{"trace_id":"05","span_id":"06","trace_state":"u=2","dropped_attributes_count":8}],
          "attributes":[{"key":"k","value":{"int_value":"9"}},{"key":"b","value":{"bytes_value":"AQ=="}},
            {"key":"a","value":{"array_value":{"values":[{"bool_value":true},{"double_value":1.5}]}}},
            {"key":"l","value":{"kvlist_value":{"values":[{"key":"x","value":{"string_value":"y"}}]}}}]}]}]}]}"#;
    let camel = r#"{"resourceSpans":[{"resource":{"attributes":[],"droppedAttributesCount":1},
        "schemaUrl":"r","scopeSpans":[{"schemaUrl":"s","scope":{"name":"n","droppedAttributesCount":2},
        "spans":[{"traceId":"0102","spanId":"03","parentSpanId":"04","traceState":"t=1",
          "startTimeUnixNano":"1","endTimeUnixNano":2,"droppedAttributesCount":3,
          "droppedEventsCount":4,"droppedLinksCount":5,
          "events":[{"timeUnixNano":"6","droppedAttributesCount":7}],
          "links":[{"traceId":"05","spanId":"06","traceState":"u=2","droppedAttributesCount":8}],
          "attributes":[{"key":"k","value":{"intValue":"9"}},{"key":"b","value":{"bytesValue":"AQ=="}},
            {"key":"a","value":{"arrayValue":{"values":[{"boolValue":true},{"doubleValue":1.5}]}}},
            {"key":"l","value":{"kvlistValue":{"values":[{"key":"x","value":{"stringValue":"y"}}]}}}]}]}]}]}"#;
    let request = decode(snake);
    assert_eq!(request, decode(camel));
    let span = only_span(&request);
    assert_eq!(span.trace_id, vec![1, 2]);
    assert_eq!(span.trace_state, "t=1");
    assert_eq!(
        (
            span.dropped_attributes_count,
            span.dropped_events_count,
            span.dropped_links_count
        ),
        (3, 4, 5)
    );
    assert_eq!(span.events[0].time_unix_nano, 6);
    assert_eq!(span.links[0].dropped_attributes_count, 8);
    assert_eq!(
        span.attributes[0].value,
        Some(AnyValue {
            value: Some(Value::IntValue(9))
        })
    );
    assert_eq!(request.resource_spans[0].scope_spans[0].schema_url, "s");
    assert_eq!(request.resource_spans[0].schema_url, "r");
}

#[test]
fn unknown_fields_are_ignored_at_every_level() {
    let json = r#"{"extra":{"deep":[1,{"x":null}]},"resourceSpans":[{"u":1,"resource":{"u":[],"entityRefs":[{"type":"t"}],
        "attributes":[{"key":"k","u":"x","value":{"u":{},"stringValueStrindex":3,"stringValue":"v"}}]},
        "scopeSpans":[{"u":true,"scope":{"u":2,"name":"n"},"spans":[{"u":"x","name":"s",
          "status":{"u":1,"code":2},"events":[{"u":1,"name":"e"}],"links":[{"u":1,"spanId":"01"}],
          "attributes":[{"key":"a","value":{"arrayValue":{"u":1,"values":[{"u":1}]}}},
            {"key":"l","value":{"kvlistValue":{"u":1,"values":[{"key":"x","u":1}]}}}]}]}]}],"trailer":"x"}"#;
    let request = decode(json);
    let resource = request.resource_spans[0]
        .resource
        .as_ref()
        .expect("resource");
    assert_eq!(resource.attributes[0].value, string_value("v"));
    let span = only_span(&request);
    assert_eq!(span.name, "s");
    assert_eq!(span.status.as_ref().map(|s| s.code), Some(2));
    assert_eq!(span.events[0].name, "e");
    assert_eq!(span.links[0].span_id, vec![1]);
    assert_eq!(
        span.attributes[0].value,
        Some(AnyValue {
            value: Some(Value::ArrayValue(ArrayValue {
                values: vec![AnyValue { value: None }]
            }))
        })
    );
    assert_eq!(
        span.attributes[1].value,
        Some(AnyValue {
            value: Some(Value::KvlistValue(KeyValueList {
                values: vec![KeyValue {
                    key: "x".into(),
                    value: None,
                    key_strindex: 0
                }]
            }))
        })
    );
}

#[test]
fn nulls_mean_defaults() {
    let json = r#"{"resourceSpans":[{"resource":null,"schemaUrl":null,"scopeSpans":[{"scope":null,"spans":[
        {"name":null,"kind":null,"flags":null,"startTimeUnixNano":null,"attributes":null,"events":null,
         "status":null,"traceState":null}]}]}]}"#;
    let request = decode(json);
    assert_eq!(request.resource_spans[0].resource, None);
    assert_eq!(request.resource_spans[0].scope_spans[0].scope, None);
    assert_eq!(*only_span(&request), Span::default());
    assert_eq!(
        decode(r#"{"resourceSpans":null}"#),
        ExportTraceServiceRequest::default()
    );
    assert_eq!(decode("  {}  "), ExportTraceServiceRequest::default());
}

#[test]
fn events_and_links_decode() {
    let span = decode_span(
        r#""events":[{"timeUnixNano":"1544712660500000000","name":"exception",
            "attributes":[{"key":"exception.message","value":{"stringValue":"oops"}}],"droppedAttributesCount":2}],
          "links":[{"traceId":"0AF7651916CD43DD8448EB211C80319C","spanId":"B7AD6B7169203331","traceState":"vendor=1",
            "attributes":[{"key":"link.kind","value":{"intValue":"3"}}],"droppedAttributesCount":1,"flags":257}],
          "flags":"256""#,
    );
    assert_eq!(
        span.events,
        vec![Event {
            time_unix_nano: 1_544_712_660_500_000_000,
            name: "exception".into(),
            attributes: vec![KeyValue {
                key: "exception.message".into(),
                value: string_value("oops"),
                key_strindex: 0,
            }],
            dropped_attributes_count: 2,
        }]
    );
    assert_eq!(
        span.links,
        vec![Link {
            trace_id: hex("0af7651916cd43dd8448eb211c80319c"),
            span_id: hex("b7ad6b7169203331"),
            trace_state: "vendor=1".into(),
            attributes: vec![KeyValue {
                key: "link.kind".into(),
                value: Some(AnyValue {
                    value: Some(Value::IntValue(3))
                }),
                key_strindex: 0,
            }],
            dropped_attributes_count: 1,
            flags: 257,
        }]
    );
    assert_eq!(span.flags, 256);
}

#[test]
fn escaped_keys_and_strings_decode() {
    let span = decode_span(
        r#""n\u0061me":"tab\there","attributes":[{"key":"\u00e9","value":{"stringValue":"\"q\""}}]"#,
    );
    assert_eq!(span.name, "tab\there");
    assert_eq!(span.attributes[0].key, "é");
    assert_eq!(span.attributes[0].value, string_value("\"q\""));
}

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
