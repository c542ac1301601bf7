use super::*;

#[test]
fn http_urls_that_are_accepted() {
    let accepted = [
        "http://a",
        "https://shop.example/healthz",
        "HTTPS://shop.example",
        "http://shop.example:8080",
        "http://shop.example:65535/x?y=1#z",
        "http://10.0.0.1:80/",
        "http://[::1]/health",
        "http://[2001:db8::1]:8443",
        "http://my_host.internal?x",
        "http://host#frag",
        "  http://padded.example/  ",
    ];
    for url in accepted {
        assert_eq!(check_http_url(url).as_deref(), Ok(url.trim()), "{url}");
    }
}

#[test]
fn http_urls_that_are_refused() {
    let refused = [
        (
            "ftp://files.example",
            "unknown scheme \"ftp\": use http:// or https://",
        ),
        ("ws://x", "unknown scheme \"ws\""),
        ("://x", "unknown scheme \"\""),
        ("shop.example", "must start with http:// or https://"),
        ("http:/x", "must start with http:// or https://"),
        ("http://", "the host is missing"),
        ("http:///path", "the host is missing"),
        ("http://:8080", "the host is missing"),
        (
            "http://a:0",
            "\"0\" is not a port: a port must be a number from 1 to 65535",
        ),
        ("http://a:65536", "is not a port"),
        ("http://a:", "is not a port"),
        ("http://a:+80", "is not a port"),
        ("http://a:8o", "is not a port"),
        ("http://user@a", "user name or password"),
        ("http://user:pw@a/", "user name or password"),
        (
            "http://a b/",
            "must not contain spaces or control characters",
        ),
        ("http://a/\u{1}", "must not contain spaces"),
        ("http://shöp.example", "may only contain letters, digits"),
        ("http://a%20b", "may only contain letters, digits"),
        ("http://[::1", "has no closing ]"),
        ("http://[nope]", "is not an IPv6 address"),
        ("http://[::1]x", "is not a host with an optional :port"),
        ("http://[::1]:0", "is not a port"),
    ];
    for (url, fragment) in refused {
        let message = check_http_url(url).expect_err(url);
        assert!(message.contains(fragment), "{url}: {message}");
    }
    let long = format!("http://a/{}", "x".repeat(MAX_TARGET_CHARS));
    assert_eq!(
        check_http_url(&long),
        Err("must be at most 2048 characters".to_owned())
    );
}

#[test]
fn host_port_targets() {
    let accepted = [
        ("db:5432", false, "db:5432"),
        (" db.internal:1 ", false, "db.internal:1"),
        ("my_host-2.example:65535", false, "my_host-2.example:65535"),
        ("10.1.2.3:6379", false, "10.1.2.3:6379"),
        ("[::1]:5432", false, "[::1]:5432"),
        ("grpc://orders:50051", true, "orders:50051"),
        ("GRPC://[fe80::1]:50051", true, "[fe80::1]:50051"),
        ("orders:50051", true, "orders:50051"),
    ];
    for (text, grpc, expected) in accepted {
        assert_eq!(
            check_host_port(text, grpc).as_deref(),
            Ok(expected),
            "{text}"
        );
    }
    let refused = [
        ("db", false, "needs a port: write host:port"),
        (":5432", false, "the host is missing"),
        ("db:", false, "is not a port"),
        ("db:0", false, "is not a port"),
        ("db:70000", false, "is not a port"),
        ("db:5432/x", false, "is not a port"),
        ("d b:1", false, "must not contain spaces"),
        (
            "db!:1",
            false,
            "may only contain letters, digits, '-', '.' and '_'",
        ),
        ("::1:5432", false, "put an IPv6 address in brackets"),
        ("[::1]", false, "needs a port: write [address]:port"),
        ("[::1]5432", false, "needs a port"),
        ("[zz]:1", false, "is not an IPv6 address"),
        ("grpc://orders:50051", false, "without a scheme"),
        ("http://orders:50051", true, "(grpc:// is optional)"),
        ("grpc://", true, "needs a port"),
        ("ab€€€:1", true, "may only contain letters"),
        ("gr€€:1", true, "may only contain letters"),
    ];
    for (text, grpc, fragment) in refused {
        let message = check_host_port(text, grpc).expect_err(text);
        assert!(message.contains(fragment), "{text}: {message}");
    }
}

#[test]
fn status_ranges() {
    let range = |from, to| Ok(StatusRange { from, to });
    let cases = [
        ("200", range(200, 200)),
        ("2xx", range(200, 299)),
        ("5XX", range(500, 599)),
        ("1xx", range(100, 199)),
        ("200-204", range(200, 204)),
        (" 300 - 302 ", range(300, 302)),
        ("404-404", range(404, 404)),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_status_range(text), expected, "{text}");
    }
    let refused = [
        ("0xx", "is not a status"),
        ("6xx", "is not a status"),
        ("2x", "is not a status"),
        ("", "is not a status"),
        ("-", "is not a status"),
        ("200-", "is not a status"),
        ("+200", "is not a status"),
        ("99", "99 is not an HTTP status: use 100 to 599"),
        ("600", "600 is not an HTTP status"),
        ("200-600", "600 is not an HTTP status"),
        ("299-200", "runs backwards"),
        ("99999", "is not a status"),
    ];
    for (text, fragment) in refused {
        let message = parse_status_range(text).expect_err(text);
        assert!(message.contains(fragment), "{text}: {message}");
    }
}

#[test]
fn status_range_text_is_compact_and_reads_back() {
    let cases = [
        ((200, 200), "200"),
        ((200, 299), "2xx"),
        ((100, 199), "1xx"),
        ((500, 599), "5xx"),
        ((200, 204), "200-204"),
        ((200, 399), "200-399"),
        ((250, 349), "250-349"),
    ];
    for ((from, to), text) in cases {
        let range = StatusRange { from, to };
        assert_eq!(status_range_text(range), text);
        assert_eq!(parse_status_range(text), Ok(range));
    }
}

#[test]
fn json_paths() {
    let accepted = [
        "$",
        "$.status",
        "$.a.b.c",
        "$.items[0].name",
        "$[3][14]",
        "$[\"a.b\"]",
        "$['a.b'].c",
        "$[\"with ] bracket\"]",
        "$.key with spaces",
        "$.ünïcode",
    ];
    for path in accepted {
        assert_eq!(check_json_path(path), Ok(()), "{path}");
    }
    let refused = [
        ("", "must start with $"),
        ("status", "must start with $"),
        (".status", "must start with $"),
        ("$.", "has an empty key"),
        ("$..a", "has an empty key"),
        ("$.a]", "neither .key nor [index]"),
        ("$a", "neither .key nor [index]"),
        ("$[", "has a [ without ]"),
        ("$[]", "index that is not a number"),
        ("$[-1]", "index that is not a number"),
        ("$[a]", "index that is not a number"),
        ("$[\"\"]", "has an empty key"),
        ("$[\"a]", "without its closing quote"),
        ("$[\"a\"x]", "not followed by ]"),
    ];
    for (path, fragment) in refused {
        let message = check_json_path(path).expect_err(path);
        assert!(message.contains(fragment), "{path}: {message}");
        assert!(message.contains("use e.g. $.status"), "{message}");
    }
}

#[test]
fn http_tokens() {
    for name in ["Accept", "X-Request-Id", "x_y", "!#$%&'*+-.^_`|~09"] {
        assert!(is_http_token(name), "{name}");
    }
    for name in ["", "a b", "a:b", "a/b", "é", "a\"b", "(a)"] {
        assert!(!is_http_token(name), "{name}");
    }
}

#[test]
fn format_duration_ms_picks_the_shortest_text() {
    let cases = [
        (0, "0s"),
        (1, "1ms"),
        (500, "500ms"),
        (999, "999ms"),
        (1_000, "1s"),
        (1_500, "1.5s"),
        (1_001, "1.001s"),
        (1_250, "1.25s"),
        (10_000, "10s"),
        (60_000, "1m"),
        (90_000, "1m30s"),
        (60_500, "1m0.5s"),
        (3_600_000, "1h"),
        (3_600_250, "1h0.25s"),
        (5_400_000, "1h30m"),
        (86_400_000, "24h"),
        (90_061_001, "25h1m1.001s"),
    ];
    for (ms, text) in cases {
        assert_eq!(format_duration_ms(ms), text, "{ms}");
    }
}

#[test]
fn format_duration_ms_round_trips_through_go_durations() {
    let mut values: Vec<u64> = (0..=5_000).collect();
    let mut value = 1u64;
    // Multiplying by a prime walks through many digit patterns up to the
    // largest millisecond count a Go duration can hold.
    while value < i64::MAX as u64 / 1_000_000 {
        values.extend([value, value + 1, value.saturating_sub(1)]);
        value = value * 7 + 3;
    }
    values.extend([59_999, 60_001, 3_599_999, 3_600_001, 86_399_999]);
    values.push(i64::MAX as u64 / 1_000_000);
    for ms in values {
        let text = format_duration_ms(ms);
        assert_eq!(parse_duration_ms(&text), Ok(ms), "{ms} as {text}");
    }
}

#[test]
fn parse_duration_ms_truncates_below_a_millisecond() {
    let cases = [
        ("1ms", 1),
        ("1.9ms", 1),
        ("999us", 0),
        ("1m30s", 90_000),
        ("0", 0),
    ];
    for (text, ms) in cases {
        assert_eq!(parse_duration_ms(text), Ok(ms), "{text}");
    }
    assert!(
        parse_duration_ms("5")
            .unwrap_err()
            .contains("is not a duration")
    );
    assert!(
        parse_duration_ms("-1s")
            .unwrap_err()
            .contains("is negative")
    );
}
