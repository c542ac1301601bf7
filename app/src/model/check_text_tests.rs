use super::*;

fn equals(path: &str, value: &str) -> ConditionInput {
    ConditionInput {
        json_path: Some(path.into()),
        equals: Some(value.into()),
        ..ConditionInput::default()
    }
}

fn contains(path: &str, value: &str) -> ConditionInput {
    ConditionInput {
        json_path: Some(path.into()),
        contains: Some(value.into()),
        ..ConditionInput::default()
    }
}

fn body_contains(text: &str) -> ConditionInput {
    ConditionInput {
        body_contains: Some(text.into()),
        ..ConditionInput::default()
    }
}

fn response_time_under(ms: u64) -> ConditionInput {
    ConditionInput {
        response_time_under_ms: Some(ms),
        ..ConditionInput::default()
    }
}

#[test]
fn condition_lines_of_every_shape() {
    let text = "
        $.status == healthy

        $.items[0].name contains foo
        body contains OK
        response_time < 500ms
    ";
    let expected = [
        equals("$.status", "healthy"),
        contains("$.items[0].name", "foo"),
        body_contains("OK"),
        response_time_under(500),
    ];
    assert_eq!(parse_conditions_text(text), Ok(expected.into()));
}

#[test]
fn condition_lines_in_detail() {
    let cases = [
        ("$.a == two words", equals("$.a", "two words")),
        ("$.a   ==   x", equals("$.a", "x")),
        ("$.a == \" padded \"", equals("$.a", " padded ")),
        ("$.a == \"\"", equals("$.a", "")),
        ("$.a == a == b", equals("$.a", "a == b")),
        ("$.a contains x == y", contains("$.a", "x == y")),
        ("$.a == contains", equals("$.a", "contains")),
        ("$.my key == v", equals("$.my key", "v")),
        ("$[\"a == b\"] == c", equals("$[\"a == b\"]", "c")),
        (
            "$['x contains y'] contains z",
            contains("$['x contains y']", "z"),
        ),
        ("$.a CONTAINS x", contains("$.a", "x")),
        ("Body Contains  two  spaces ", body_contains("two  spaces")),
        ("body contains \"\"quoted\"\"", body_contains("\"quoted\"")),
        ("response_time<2s", response_time_under(2_000)),
        ("response_time < 1m30s", response_time_under(90_000)),
        ("response_time < 1.5ms", response_time_under(1)),
    ];
    for (line, expected) in cases {
        assert_eq!(parse_conditions_text(line), Ok(vec![expected]), "{line}");
    }
}

#[test]
fn bad_condition_lines_name_their_line() {
    let cases = [
        (
            "status == up",
            "line 1: \"status == up\" is not a condition: write $.path == value",
        ),
        ("\n\n$.a = b", "line 3: \"$.a = b\" is not a condition"),
        ("$.a ==", "line 1: \"$.a ==\" is not a condition"),
        ("$.a", "is not a condition"),
        ("body has OK", "is not a condition"),
        ("bodycontains OK", "is not a condition"),
        ("response_time > 5s", "is not a condition"),
        (
            "response_time < 500",
            "line 1: \"500\" is not a duration: use e.g. 500ms or 2s",
        ),
        (
            "$.a == b\nresponse_time < 100us",
            "line 2: the response time must be at least 1ms",
        ),
    ];
    for (text, fragment) in cases {
        let message = parse_conditions_text(text).expect_err(text);
        assert!(message.contains(fragment), "{text:?}: {message}");
    }
}

#[test]
fn conditions_text_reads_back_to_the_same_conditions() {
    let conditions = [
        Condition::JsonPathEquals {
            path: "$.status".into(),
            value: "healthy".into(),
        },
        Condition::JsonPathEquals {
            path: "$.a".into(),
            value: String::new(),
        },
        Condition::JsonPathEquals {
            path: "$.a".into(),
            value: " padded ".into(),
        },
        Condition::JsonPathEquals {
            path: "$.a".into(),
            value: "\"quoted\"".into(),
        },
        Condition::JsonPathEquals {
            path: "$.a".into(),
            value: "\"".into(),
        },
        Condition::JsonPathEquals {
            path: "$.a".into(),
            value: "ends\"".into(),
        },
        Condition::JsonPathContains {
            path: "$.items[0][\"a.b\"]".into(),
            value: "x == y".into(),
        },
        Condition::BodyContains("OK".into()),
        Condition::BodyContains(" lead".into()),
        Condition::ResponseTimeUnderMs(500),
        Condition::ResponseTimeUnderMs(1_500),
        Condition::ResponseTimeUnderMs(90_000),
    ];
    let text = conditions_text(&conditions);
    assert_eq!(text.lines().count(), conditions.len());
    assert!(
        text.starts_with("$.status == healthy\n$.a == \"\"\n"),
        "{text}"
    );
    let parsed = parse_conditions_text(&text).unwrap();
    let back: Vec<_> = parsed
        .iter()
        .map(|input| input.to_condition().unwrap())
        .collect();
    assert_eq!(back, conditions);
    assert_eq!(conditions_text(&[]), "");
}

fn pairs(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn header_and_label_lines() {
    let headers = "Authorization: Bearer a:b\n\n  X-Empty:  \nAccept:application/json";
    assert_eq!(
        parse_pairs_text(headers, ':'),
        Ok(pairs(&[
            ("Authorization", "Bearer a:b"),
            ("X-Empty", ""),
            ("Accept", "application/json")
        ]))
    );
    let labels = "team=payments\n tier = 1 \nexpr=a=b";
    assert_eq!(
        parse_pairs_text(labels, '='),
        Ok(pairs(&[
            ("team", "payments"),
            ("tier", "1"),
            ("expr", "a=b")
        ]))
    );
    assert_eq!(parse_pairs_text(" \n ", '='), Ok(BTreeMap::new()));
}

#[test]
fn bad_pair_lines_name_their_line() {
    let cases = [
        ("Accept application/json", ':', "line 1: write name: value"),
        ("team=a\nteam", '=', "line 2: write name=value"),
        (": value", ':', "line 1: the name before ':' is missing"),
        ("a=1\n\na=2", '=', "line 3: \"a\" is given twice"),
    ];
    for (text, separator, message) in cases {
        assert_eq!(
            parse_pairs_text(text, separator),
            Err(message.to_owned()),
            "{text}"
        );
    }
}

#[test]
fn pairs_text_reads_back() {
    let headers = pairs(&[("Authorization", "Bearer x"), ("X-Empty", "")]);
    let text = pairs_text(&headers, ':');
    assert_eq!(text, "Authorization: Bearer x\nX-Empty: ");
    assert_eq!(parse_pairs_text(&text, ':'), Ok(headers));
    let labels = pairs(&[("team", "payments"), ("expr", "a=b")]);
    let text = pairs_text(&labels, '=');
    assert_eq!(text, "expr=a=b\nteam=payments");
    assert_eq!(parse_pairs_text(&text, '='), Ok(labels));
}

#[test]
fn status_text_splits_on_commas_and_spaces() {
    let parsed = parse_status_text("200, 2xx,300-302  404\n ok,,70000");
    let expected = [
        StatusInput::Code(200),
        StatusInput::Text("2xx".into()),
        StatusInput::Text("300-302".into()),
        StatusInput::Code(404),
        StatusInput::Text("ok".into()),
        StatusInput::Text("70000".into()),
    ];
    assert_eq!(parsed, expected);
    assert_eq!(parse_status_text("  , "), []);
}

#[test]
fn status_text_reads_back() {
    let ranges = [
        StatusRange { from: 200, to: 299 },
        StatusRange { from: 301, to: 301 },
        StatusRange { from: 400, to: 404 },
    ];
    let text = status_text(&ranges);
    assert_eq!(text, "2xx, 301, 400-404");
    let parsed = parse_status_text(&text);
    let back: Vec<_> = parsed
        .iter()
        .map(|input| input.to_range().unwrap())
        .collect();
    assert_eq!(back, ranges);
}
