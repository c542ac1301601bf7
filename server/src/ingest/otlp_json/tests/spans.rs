//! The trace messages: every field, both spellings of field names, unknown fields and nulls.

use opentelemetry_proto::tonic::common::v1::{ArrayValue, KeyValue, KeyValueList};
use opentelemetry_proto::tonic::trace::v1::span::{Event, Link, SpanKind};

use super::*;

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
