//! The checks of single values behind `CheckInput::validate`: URLs,
//! `host:port` targets, statuses, durations, JSON paths, headers, labels.
//! Hand-written because the same code runs in the browser, where every
//! dependency costs bundle size.

use std::fmt::Write as _;
use std::net::Ipv6Addr;

use crate::go_duration::parse_go_duration;
use crate::model::check::{CheckType, Condition, StatusRange};
use crate::model::check_input::{
    ConditionInput, MAX_HEADER_VALUE_CHARS, MAX_LABEL_KEY_CHARS, MAX_LABEL_VALUE_CHARS,
    MAX_THRESHOLD,
};

/// Long enough for any real URL, short enough to show in a table.
pub const MAX_TARGET_CHARS: usize = 2048;

const GRPC_SCHEME: &str = "grpc://";
const MAX_METHOD_LETTERS: usize = 20;
const PORT_RANGE: &str = "a port must be a number from 1 to 65535";

/// A trimmed `http://` or `https://` URL with a host, or why not.
pub fn check_http_url(text: &str) -> Result<String, String> {
    let url = text.trim();
    check_target_text(url)?;
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("\"{url}\" must start with http:// or https://"));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(format!(
            "unknown scheme \"{scheme}\": use http:// or https://"
        ));
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    // Credentials in a URL end up in logs and on pages; headers are the
    // place for them.
    if authority.contains('@') {
        return Err("a user name or password in the URL is not allowed: use headers".to_owned());
    }
    match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (_, after) = split_ipv6_literal(bracketed)?;
            match after {
                "" => Ok(()),
                _ => match after.strip_prefix(':') {
                    Some(port) => check_port(port).map(drop),
                    None => Err(format!(
                        "\"{authority}\" is not a host with an optional :port"
                    )),
                },
            }
        }
        None => {
            let (host, port) = match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            check_host_name(host)?;
            port.map_or(Ok(()), |port| check_port(port).map(drop))
        }
    }?;
    Ok(url.to_owned())
}

/// A trimmed `host:port` or `[v6]:port` for TCP and gRPC, or why not. With
/// `grpc` an optional `grpc://` prefix is dropped, as gRPC tools print one.
pub fn check_host_port(text: &str, grpc: bool) -> Result<String, String> {
    let mut target = text.trim();
    check_target_text(target)?;
    let scheme = target.get(..GRPC_SCHEME.len());
    if grpc && scheme.is_some_and(|scheme| scheme.eq_ignore_ascii_case(GRPC_SCHEME)) {
        target = &target[GRPC_SCHEME.len()..];
    }
    if target.contains("://") {
        let optional = if grpc { " (grpc:// is optional)" } else { "" };
        return Err(format!(
            "\"{target}\" is not host:port: write host:port without a scheme{optional}"
        ));
    }
    if let Some(bracketed) = target.strip_prefix('[') {
        let (_, after) = split_ipv6_literal(bracketed)?;
        let port = after
            .strip_prefix(':')
            .ok_or_else(|| format!("\"{target}\" needs a port: write [address]:port"))?;
        check_port(port)?;
        return Ok(target.to_owned());
    }
    let Some((host, port)) = target.rsplit_once(':') else {
        return Err(format!("\"{target}\" needs a port: write host:port"));
    };
    if host.contains(':') {
        return Err(format!("put an IPv6 address in brackets: [{host}]:{port}"));
    }
    check_host_name(host)?;
    check_port(port)?;
    Ok(target.to_owned())
}

fn check_target_text(target: &str) -> Result<(), String> {
    if target.chars().count() > MAX_TARGET_CHARS {
        return Err(format!("must be at most {MAX_TARGET_CHARS} characters"));
    }
    if target.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".to_owned());
    }
    Ok(())
}

/// Splits `v6]rest` (after the `[`) into the address and what follows `]`.
fn split_ipv6_literal(bracketed: &str) -> Result<(Ipv6Addr, &str), String> {
    let (address, after) = bracketed
        .split_once(']')
        .ok_or_else(|| format!("\"[{bracketed}\" has no closing ]"))?;
    let address = address
        .parse::<Ipv6Addr>()
        .map_err(|_| format!("\"[{address}]\" is not an IPv6 address"))?;
    Ok((address, after))
}

fn check_host_name(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("the host is missing".to_owned());
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
    if !host.chars().all(allowed) {
        return Err(format!(
            "host \"{host}\" may only contain letters, digits, '-', '.' and '_'"
        ));
    }
    Ok(())
}

fn check_port(port: &str) -> Result<u16, String> {
    // `parse` alone would take "+80".
    let digits = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    match port.parse::<u16>() {
        Ok(number) if digits && number > 0 => Ok(number),
        _ => Err(format!("\"{port}\" is not a port: {PORT_RANGE}")),
    }
}

/// `200`, `2xx` or `200-299`, as an inclusive range of status codes.
pub fn parse_status_range(text: &str) -> Result<StatusRange, String> {
    let text = text.trim();
    let unknown = || format!("\"{text}\" is not a status: use e.g. 200, 2xx or 200-299");
    if let Some((from, to)) = text.split_once('-') {
        let from = parse_status_code(from.trim()).ok_or_else(unknown)?;
        let to = parse_status_code(to.trim()).ok_or_else(unknown)?;
        check_status_code(from)?;
        check_status_code(to)?;
        if from > to {
            return Err(format!(
                "\"{text}\" runs backwards: write the lower code first"
            ));
        }
        return Ok(StatusRange { from, to });
    }
    if let [class @ b'1'..=b'5', b'x' | b'X', b'x' | b'X'] = text.as_bytes() {
        let from = u16::from(class - b'0') * 100;
        return Ok(StatusRange {
            from,
            to: from + 99,
        });
    }
    let code = parse_status_code(text).ok_or_else(unknown)?;
    check_status_code(code)?;
    Ok(StatusRange {
        from: code,
        to: code,
    })
}

pub fn parse_status_code(text: &str) -> Option<u16> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

pub fn check_status_code(code: u16) -> Result<u16, String> {
    match code {
        100..=599 => Ok(code),
        _ => Err(format!("{code} is not an HTTP status: use 100 to 599")),
    }
}

/// The compact text of a range: `2xx` for a whole class, `200` for one
/// code, `200-204` otherwise.
pub fn status_range_text(range: StatusRange) -> String {
    let StatusRange { from, to } = range;
    if from == to {
        from.to_string()
    } else if from % 100 == 0 && to == from + 99 && (100..=500).contains(&from) {
        format!("{}xx", from / 100)
    } else {
        format!("{from}-{to}")
    }
}

/// `$` followed by `.key`, `[0]` and `["key"]` segments; what the probe's
/// JSON lookup understands.
pub fn check_json_path(path: &str) -> Result<(), String> {
    let usage = "use e.g. $.status, $.items[0].name or $[\"a.b\"]";
    let Some(mut rest) = path.strip_prefix('$') else {
        return Err(format!("\"{path}\" must start with $: {usage}"));
    };
    let bad = |detail: &str| Err(format!("\"{path}\" {detail}: {usage}"));
    while !rest.is_empty() {
        if let Some(after_dot) = rest.strip_prefix('.') {
            let key_end = after_dot.find(['.', '[', ']']).unwrap_or(after_dot.len());
            if key_end == 0 {
                return bad("has an empty key");
            }
            rest = &after_dot[key_end..];
        } else if let Some(after_bracket) = rest.strip_prefix('[') {
            let Some(close) = after_bracket.find(']') else {
                return bad("has a [ without ]");
            };
            let inside = &after_bracket[..close];
            if let Some(quote @ ('"' | '\'')) = inside.chars().next() {
                // A quoted key may hold `]`, so look for the closing quote
                // first and expect the bracket right after it.
                let Some(end) = after_bracket[1..].find(quote) else {
                    return bad("has a key without its closing quote");
                };
                if end == 0 {
                    return bad("has an empty key");
                }
                let Some(after) = after_bracket[end + 2..].strip_prefix(']') else {
                    return bad("has a quoted key not followed by ]");
                };
                rest = after;
            } else if !inside.is_empty() && inside.bytes().all(|b| b.is_ascii_digit()) {
                rest = &after_bracket[close + 1..];
            } else {
                return bad("has an index that is not a number");
            }
        } else {
            return bad("has a segment that is neither .key nor [index]");
        }
    }
    Ok(())
}

/// A header name: RFC 7230 `token`.
pub fn is_http_token(name: &str) -> bool {
    let tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    !name.is_empty() && name.bytes().all(tchar)
}

/// Trimmed, present, short and printable: a name or a service.
pub fn check_required_text(text: &str, max_chars: usize) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("required: up to {max_chars} characters"));
    }
    check_short_text(text, max_chars)?;
    Ok(text.to_owned())
}

pub fn check_short_text(text: &str, max_chars: usize) -> Result<(), String> {
    if text.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("must not contain control characters such as line breaks".to_owned());
    }
    Ok(())
}

pub fn parse_check_type(text: &str) -> Result<CheckType, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Err("choose http, tcp or grpc".to_owned()),
        "http" => Ok(CheckType::Http),
        "tcp" => Ok(CheckType::Tcp),
        "grpc" => Ok(CheckType::Grpc),
        _ => Err(format!(
            "unknown type \"{}\": choose http, tcp or grpc",
            text.trim()
        )),
    }
}

/// Accepts lowercase because people type `get`; the probe sends uppercase.
pub fn check_method(text: &str) -> Result<String, String> {
    let method = text.trim().to_ascii_uppercase();
    let letters = !method.is_empty() && method.bytes().all(|b| b.is_ascii_uppercase());
    if !letters || method.len() > MAX_METHOD_LETTERS {
        return Err(format!(
            "\"{method}\" is not a method: use up to {MAX_METHOD_LETTERS} letters, e.g. GET, HEAD or POST"
        ));
    }
    Ok(method)
}

pub fn check_threshold(value: Option<u32>, default: u32) -> Result<u32, String> {
    match value.unwrap_or(default) {
        value @ 1..=MAX_THRESHOLD => Ok(value),
        _ => Err(format!("must be from 1 to {MAX_THRESHOLD}")),
    }
}

/// A trimmed header name and value; repeated names are the caller's to
/// find, as they need all the names.
pub fn check_header(name: &str, value: &str) -> Result<(), String> {
    if !is_http_token(name) {
        return Err(format!(
            "header name \"{name}\" may only contain letters, digits and !#$%&'*+-.^_`|~"
        ));
    }
    if value.chars().count() > MAX_HEADER_VALUE_CHARS {
        return Err(format!(
            "header \"{name}\": the value must be at most {MAX_HEADER_VALUE_CHARS} characters"
        ));
    }
    // CR/LF would split the request; other control bytes are refused by
    // HTTP clients only when the probe runs, too late to tell anyone.
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(format!(
            "header \"{name}\": the value must not contain line breaks or control characters"
        ));
    }
    Ok(())
}

/// A trimmed label key and value.
pub fn check_label(key: &str, value: &str) -> Result<(), String> {
    let key_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/');
    if key.is_empty() || key.len() > MAX_LABEL_KEY_CHARS || !key.chars().all(key_char) {
        return Err(format!(
            "label \"{key}\": keys are 1 to {MAX_LABEL_KEY_CHARS} letters, digits, '_', '.', '-' or '/'"
        ));
    }
    check_short_text(value, MAX_LABEL_VALUE_CHARS)
        .map_err(|message| format!("label \"{key}\": the value {message}"))
}

const CONDITION_SHAPES: &str = "use json_path with equals, json_path with contains, \
     body_contains, or response_time_under_ms";

pub fn check_condition(input: &ConditionInput) -> Result<Condition, String> {
    // The form shows one condition a line, so a line break could not be
    // shown or edited there.
    let one_line = |field: &str, value: &str| {
        if value.contains(['\n', '\r']) {
            Err(format!("{field} must be on one line"))
        } else {
            Ok(value.to_owned())
        }
    };
    let json_path = |path: &str| {
        let path = path.trim();
        check_json_path(path).map(|()| path.to_owned())
    };
    let non_empty = |field: &str, value: &str| {
        if value.is_empty() {
            Err(format!("{field} needs some text"))
        } else {
            one_line(field, value)
        }
    };
    let ConditionInput {
        json_path: path,
        equals,
        contains,
        body_contains,
        response_time_under_ms,
    } = input;
    match (
        path,
        equals,
        contains,
        body_contains,
        response_time_under_ms,
    ) {
        (Some(path), Some(value), None, None, None) => Ok(Condition::JsonPathEquals {
            path: json_path(path)?,
            value: one_line("equals", value)?,
        }),
        (Some(path), None, Some(value), None, None) => Ok(Condition::JsonPathContains {
            path: json_path(path)?,
            value: non_empty("contains", value)?,
        }),
        (None, None, None, Some(text), None) => {
            Ok(Condition::BodyContains(non_empty("body_contains", text)?))
        }
        (None, None, None, None, Some(0)) => {
            Err("response_time_under_ms must be at least 1".to_owned())
        }
        (None, None, None, None, Some(ms)) => Ok(Condition::ResponseTimeUnderMs(*ms)),
        _ => Err(CONDITION_SHAPES.to_owned()),
    }
}

/// Milliseconds of a Go duration, truncating anything finer: the scheduler
/// works in whole milliseconds.
pub fn parse_duration_ms(text: &str) -> Result<u64, String> {
    match parse_go_duration(text) {
        Ok(nanos) => Ok(nanos.unsigned_abs() / 1_000_000),
        Err(_) if text.starts_with('-') => Err(format!(
            "\"{text}\" is negative: use e.g. 10s, 500ms or 1m30s"
        )),
        Err(_) => Err(format!(
            "\"{text}\" is not a duration: use e.g. 10s, 500ms or 1m30s"
        )),
    }
}

/// Short Go duration text for whole milliseconds: `500ms` below a
/// second, otherwise hours, minutes and seconds with zero parts left out and
/// leftover milliseconds as a decimal fraction of the seconds (`1.5s`,
/// `1m30s`, `1h0.25s`). `parse_go_duration` reads every one back exactly.
pub fn format_duration_ms(ms: u64) -> String {
    match ms {
        0 => return "0s".to_owned(),
        1..1_000 => return format!("{ms}ms"),
        _ => {}
    }
    let (hours, minutes) = (ms / 3_600_000, ms / 60_000 % 60);
    let (seconds, millis) = (ms / 1_000 % 60, ms % 1_000);
    let mut text = String::new();
    if hours > 0 {
        let _ = write!(text, "{hours}h");
    }
    if minutes > 0 {
        let _ = write!(text, "{minutes}m");
    }
    if seconds > 0 || millis > 0 {
        let _ = write!(text, "{seconds}");
        if millis > 0 {
            let fraction = format!("{millis:03}");
            let _ = write!(text, ".{}", fraction.trim_end_matches('0'));
        }
        text.push('s');
    }
    text
}

#[cfg(test)]
#[path = "check_parse_tests.rs"]
mod tests;
