//! Judging an HTTP response against its check: the expected status, every
//! condition, and what a health-endpoint body says about itself. A failed
//! status or condition outranks the body; otherwise the body's own verdict
//! (healthy, degraded, unhealthy) stands.

use std::time::Duration;

use serde_json::Value;

use super::finding::Finding;
use super::health_body::{HealthReport, parse_health_report};
use super::http_body::CappedBody;
use super::json_path::{JsonPath, value_as_text};
use super::{CheckSpec, Condition, StatusRange};

/// The part of a response a verdict depends on.
pub struct SeenResponse<'a> {
    pub status: u16,
    pub body: &'a CappedBody,
    /// From sending the request to the end of the body.
    pub elapsed: Duration,
}

/// Values longer than this are shortened in reasons: a reason is one line.
const MAX_SHOWN_CHARS: usize = 120;

pub fn judge(spec: &CheckSpec, seen: &SeenResponse<'_>) -> Finding {
    let json = serde_json::from_slice::<Value>(&seen.body.bytes);
    let report = json.as_ref().ok().and_then(parse_health_report);

    let mut failures = Vec::new();
    failures.extend(status_failure(&spec.expected_status, seen.status));
    for condition in &spec.conditions {
        let failure = condition_failure(condition, seen, &json);
        // Several JSON conditions on a non-JSON body fail for one reason.
        if let Some(failure) = failure.filter(|failure| !failures.contains(failure)) {
            failures.push(failure);
        }
    }

    let mut finding = if failures.is_empty() {
        match &report {
            Some(report) => Finding::new(report.state, report.summary()),
            None => Finding::healthy(),
        }
    } else {
        failures.extend(report.as_ref().and_then(HealthReport::summary));
        Finding::unhealthy(failures.join("; "))
    };
    if let Some(report) = report {
        finding.dependencies = report.dependencies;
        finding.version = report.version;
    }
    finding.with_http_status(seen.status)
}

/// `None` when `status` is accepted; empty `ranges` accept 2xx.
pub fn status_failure(ranges: &[StatusRange], status: u16) -> Option<String> {
    let accepted = if ranges.is_empty() {
        (200..=299).contains(&status)
    } else {
        ranges
            .iter()
            .any(|range| (range.from..=range.to).contains(&status))
    };
    (!accepted).then(|| format!("status {status} not in {}", describe_ranges(ranges)))
}

/// `2xx`, `418`, `200-204`, joined with commas.
fn describe_ranges(ranges: &[StatusRange]) -> String {
    if ranges.is_empty() {
        return "2xx".to_owned();
    }
    let described: Vec<String> = ranges
        .iter()
        .map(|range| match (range.from, range.to) {
            (from, to) if from == to => from.to_string(),
            (from, to) if from % 100 == 0 && to.checked_sub(from) == Some(99) => {
                format!("{}xx", from / 100)
            }
            (from, to) => format!("{from}-{to}"),
        })
        .collect();
    described.join(", ")
}

fn condition_failure(
    condition: &Condition,
    seen: &SeenResponse<'_>,
    json: &Result<Value, serde_json::Error>,
) -> Option<String> {
    match condition {
        Condition::JsonPathEquals { path, value } => {
            let expected = quoted(value);
            check_json_path(path, json, seen.body, |found| found == value)
                .into_failure(|found| format!("{found}, expected {expected}"))
        }
        Condition::JsonPathContains { path, value } => {
            let expected = quoted(value);
            check_json_path(path, json, seen.body, |found| {
                found.contains(value.as_str())
            })
            .into_failure(|found| format!("{found}, expected to contain {expected}"))
        }
        Condition::BodyContains(needle) => {
            let text = String::from_utf8_lossy(&seen.body.bytes);
            (!text.contains(needle.as_str())).then(|| {
                format!(
                    "body does not contain {}{}",
                    quoted(needle),
                    seen.body.cut_note()
                )
            })
        }
        Condition::ResponseTimeUnderMs(limit_ms) => {
            let took_ms = seen.elapsed.as_millis();
            (took_ms >= u128::from(*limit_ms))
                .then(|| format!("response took {took_ms} ms, limit {limit_ms} ms"))
        }
    }
}

/// How a JSON-path condition went.
enum JsonPathCheck {
    Holds,
    /// The value is there but does not match: `$.status is "down"` (or
    /// `$.status is missing`), which the caller finishes with what was expected.
    Mismatch(String),
    /// Nothing could be compared: the body is not JSON or the path is bad.
    Failed(String),
}

impl JsonPathCheck {
    fn into_failure(self, finish: impl FnOnce(String) -> String) -> Option<String> {
        match self {
            JsonPathCheck::Holds => None,
            JsonPathCheck::Mismatch(found) => Some(finish(found)),
            JsonPathCheck::Failed(reason) => Some(reason),
        }
    }
}

fn check_json_path(
    path: &str,
    json: &Result<Value, serde_json::Error>,
    body: &CappedBody,
    holds: impl Fn(&str) -> bool,
) -> JsonPathCheck {
    let root = match json {
        Ok(root) => root,
        Err(error) => {
            return JsonPathCheck::Failed(format!("body is not JSON: {error}{}", body.cut_note()));
        }
    };
    let path = match JsonPath::parse(path) {
        Ok(path) => path,
        Err(error) => return JsonPathCheck::Failed(format!("invalid JSON path {path:?}: {error}")),
    };
    match path.lookup(root) {
        None => JsonPathCheck::Mismatch(format!("{path} is missing")),
        Some(found) if holds(&value_as_text(found)) => JsonPathCheck::Holds,
        // Shown as JSON text, so a string is quoted and a number is not.
        Some(found) => {
            JsonPathCheck::Mismatch(format!("{path} is {}", shortened(&found.to_string())))
        }
    }
}

fn quoted(text: &str) -> String {
    shortened(&format!("{text:?}"))
}

fn shortened(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(from: u16, to: u16) -> StatusRange {
        StatusRange { from, to }
    }

    #[test]
    fn empty_ranges_accept_exactly_2xx() {
        assert_eq!(status_failure(&[], 200), None);
        assert_eq!(status_failure(&[], 299), None);
        assert_eq!(
            status_failure(&[], 302).as_deref(),
            Some("status 302 not in 2xx")
        );
    }

    #[test]
    fn describes_ranges_briefly() {
        let ranges = [
            range(200, 299),
            range(418, 418),
            range(500, 503),
            range(65400, 65535),
        ];
        assert_eq!(
            status_failure(&ranges, 404).as_deref(),
            Some("status 404 not in 2xx, 418, 500-503, 65400-65535")
        );
        assert_eq!(status_failure(&ranges, 502), None);
    }

    #[test]
    fn shortens_long_values_on_a_char_boundary() {
        let long = "é".repeat(MAX_SHOWN_CHARS + 5);
        let shown = shortened(&long);
        assert_eq!(shown.chars().count(), MAX_SHOWN_CHARS + 1);
        assert!(shown.ends_with('…'));
    }
}
