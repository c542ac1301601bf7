//! A check as people write it, before validation: the JSON API body, an
//! entry of the declarative TOML/YAML file and the UI form all arrive as a
//! `CheckInput`, and `validate` is the one place that turns any of them into
//! a `CheckSpec`, so the three ways in cannot drift apart.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::check::{CheckSpec, CheckType, Condition, StatusRange};
use crate::model::check_parse::{
    check_condition, check_header, check_host_port, check_http_url, check_label, check_method,
    check_required_text, check_status_code, check_threshold, parse_check_type, parse_duration_ms,
    parse_status_range, status_range_text,
};
use crate::search_form::FieldError;

pub use crate::model::check_parse::format_duration_ms;
pub use crate::model::check_text::{
    conditions_text, pairs_text, parse_conditions_text, parse_pairs_text, parse_status_text,
    status_text,
};

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_SERVICE_CHARS: usize = 200;
pub const DEFAULT_METHOD: &str = "GET";
pub const DEFAULT_INTERVAL_MS: u64 = 10_000;
pub const DEFAULT_TIMEOUT_MS: u64 = 5_000;
pub const MIN_INTERVAL_MS: u64 = 1_000;
pub const MAX_INTERVAL_MS: u64 = 24 * 3_600_000;
pub const DEFAULT_FAILURE_THRESHOLD: u32 = 3;
pub const DEFAULT_SUCCESS_THRESHOLD: u32 = 1;
pub const MAX_THRESHOLD: u32 = 100;
pub const MAX_HEADERS: usize = 50;
pub const MAX_HEADER_VALUE_CHARS: usize = 4096;
pub const MAX_CONDITIONS: usize = 20;
pub const MAX_LABELS: usize = 20;
pub const MAX_LABEL_KEY_CHARS: usize = 64;
pub const MAX_LABEL_VALUE_CHARS: usize = 200;

/// The raw, unvalidated form of a check. Blank strings count as absent, so
/// an untouched form field behaves like an omitted JSON field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckInput {
    pub name: String,
    pub service: String,
    /// `http`, `tcp` or `grpc`, in any case.
    #[serde(rename = "type")]
    pub check_type: String,
    /// The URL of an HTTP check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `host:port` of a TCP or gRPC check; for HTTP, a synonym of `url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// A Go duration such as `30s`; 10 s when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// A Go duration; 5 s when absent, or the interval if that is shorter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expected_status: Vec<StatusInput>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_threshold: Option<u32>,
    pub paused: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Shown on the public status page.
    pub public: bool,
}

/// An accepted status as written: `200`, or text such as `"2xx"`,
/// `"200-299"` or `"204"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StatusInput {
    Code(u16),
    Text(String),
}

/// One condition as written. Exactly one shape is allowed: `json_path` with
/// `equals` or `contains`, `body_contains`, or `response_time_under_ms`; a
/// flat struct rather than an enum keeps the file and JSON forms short.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConditionInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_contains: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_time_under_ms: Option<u64>,
}

impl CheckInput {
    /// The spec, or every problem at once so the person fixes them in one go.
    pub fn validate(&self) -> Result<CheckSpec, Vec<FieldError>> {
        let mut errors = Errors::default();
        let name = errors.check("name", check_required_text(&self.name, MAX_NAME_CHARS));
        let service = errors.check(
            "service",
            check_required_text(&self.service, MAX_SERVICE_CHARS),
        );
        let check_type = errors.check("type", parse_check_type(&self.check_type));
        let target =
            check_type.and_then(|check_type| self.validate_target(check_type, &mut errors));
        let method = self.validate_method(check_type, &mut errors);
        let interval_ms = errors.check("interval", self.interval_ms());
        let timeout_ms = errors.check("timeout", self.timeout_ms(interval_ms));
        // Without a known type the HTTP-only fields are still checked, so a
        // fixed type does not reveal a second round of errors.
        let http_fields = check_type.is_none_or(|check_type| check_type == CheckType::Http);
        let type_label = check_type.map_or("", type_name);
        let http_only_fields = [
            (
                "expected_status",
                self.expected_status.is_empty(),
                "have expected statuses",
            ),
            ("headers", self.headers.is_empty(), "send headers"),
            ("conditions", self.conditions.is_empty(), "have conditions"),
        ];
        for (field, empty, what) in http_only_fields {
            if !empty && !http_fields {
                errors.add(
                    field,
                    format!("only http checks {what}, not {type_label} checks"),
                );
            }
        }
        let (expected_status, headers, conditions) = if http_fields {
            (
                self.validate_expected_status(&mut errors),
                self.validate_headers(&mut errors),
                self.validate_conditions(&mut errors),
            )
        } else {
            Default::default()
        };
        let failure_threshold = errors.check(
            "failure_threshold",
            check_threshold(self.failure_threshold, DEFAULT_FAILURE_THRESHOLD),
        );
        let success_threshold = errors.check(
            "success_threshold",
            check_threshold(self.success_threshold, DEFAULT_SUCCESS_THRESHOLD),
        );
        let labels = self.validate_labels(&mut errors);
        match (name, service, check_type, target, method) {
            (Some(name), Some(service), Some(check_type), Some(target), Some(method))
                if errors.0.is_empty() =>
            {
                Ok(CheckSpec {
                    name,
                    service,
                    check_type,
                    target,
                    method,
                    interval_ms: interval_ms.unwrap_or(DEFAULT_INTERVAL_MS),
                    timeout_ms: timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS),
                    expected_status,
                    headers,
                    conditions,
                    failure_threshold: failure_threshold.unwrap_or(DEFAULT_FAILURE_THRESHOLD),
                    success_threshold: success_threshold.unwrap_or(DEFAULT_SUCCESS_THRESHOLD),
                    paused: self.paused,
                    labels,
                    public: self.public,
                })
            }
            _ => {
                debug_assert!(!errors.0.is_empty(), "a missing value without an error");
                Err(errors.0)
            }
        }
    }

    /// An input that validates back to `spec`: what the edit form and the
    /// file export start from.
    pub fn from_spec(spec: &CheckSpec) -> CheckInput {
        let is_http = spec.check_type == CheckType::Http;
        CheckInput {
            name: spec.name.clone(),
            service: spec.service.clone(),
            check_type: type_name(spec.check_type).to_owned(),
            url: is_http.then(|| spec.target.clone()),
            target: (!is_http).then(|| spec.target.clone()),
            method: is_http.then(|| spec.method.clone()),
            interval: Some(format_duration_ms(spec.interval_ms)),
            timeout: Some(format_duration_ms(spec.timeout_ms)),
            expected_status: spec
                .expected_status
                .iter()
                .copied()
                .map(StatusInput::from)
                .collect(),
            headers: spec.headers.clone(),
            conditions: spec.conditions.iter().map(ConditionInput::from).collect(),
            failure_threshold: Some(spec.failure_threshold),
            success_threshold: Some(spec.success_threshold),
            paused: spec.paused,
            labels: spec.labels.clone(),
            public: spec.public,
        }
    }

    fn validate_target(&self, check_type: CheckType, errors: &mut Errors) -> Option<String> {
        let url = given(&self.url);
        let target = given(&self.target);
        if check_type == CheckType::Http {
            let (field, text) = match (url, target) {
                (Some(url), Some(target)) if url != target => {
                    errors.add("target", "give url or target, not both");
                    return None;
                }
                (Some(url), _) => ("url", url),
                (None, Some(target)) => ("target", target),
                (None, None) => {
                    errors.add("url", "required: an http:// or https:// URL");
                    return None;
                }
            };
            return errors.check(field, check_http_url(text));
        }
        let kind = type_name(check_type);
        if url.is_some() {
            errors.add("url", format!("use target (host:port) for {kind} checks"));
        }
        match target {
            Some(target) => errors.check(
                "target",
                check_host_port(target, check_type == CheckType::Grpc),
            ),
            None if url.is_none() => {
                errors.add("target", "required: write host:port");
                None
            }
            None => None,
        }
    }

    fn validate_method(
        &self,
        check_type: Option<CheckType>,
        errors: &mut Errors,
    ) -> Option<String> {
        let Some(method) = given(&self.method) else {
            return Some(DEFAULT_METHOD.to_owned());
        };
        if let Some(kind @ (CheckType::Tcp | CheckType::Grpc)) = check_type {
            errors.add(
                "method",
                format!(
                    "only http checks have a method, not {} checks",
                    type_name(kind)
                ),
            );
            return None;
        }
        errors.check("method", check_method(method))
    }

    fn interval_ms(&self) -> Result<u64, String> {
        let Some(text) = given(&self.interval) else {
            return Ok(DEFAULT_INTERVAL_MS);
        };
        let interval_ms = parse_duration_ms(text)?;
        if interval_ms < MIN_INTERVAL_MS {
            return Err(format!(
                "must be at least {}",
                format_duration_ms(MIN_INTERVAL_MS)
            ));
        }
        if interval_ms > MAX_INTERVAL_MS {
            return Err(format!(
                "must be at most {}",
                format_duration_ms(MAX_INTERVAL_MS)
            ));
        }
        Ok(interval_ms)
    }

    /// A timeout longer than the interval would let probes of one check
    /// overlap, so the interval also caps the default.
    fn timeout_ms(&self, interval_ms: Option<u64>) -> Result<u64, String> {
        let Some(text) = given(&self.timeout) else {
            return Ok(DEFAULT_TIMEOUT_MS.min(interval_ms.unwrap_or(DEFAULT_TIMEOUT_MS)));
        };
        let timeout_ms = parse_duration_ms(text)?;
        if timeout_ms == 0 {
            return Err("must be at least 1ms".to_owned());
        }
        match interval_ms {
            Some(interval_ms) if timeout_ms > interval_ms => Err(format!(
                "must not be longer than the interval ({})",
                format_duration_ms(interval_ms)
            )),
            _ => Ok(timeout_ms),
        }
    }

    fn validate_expected_status(&self, errors: &mut Errors) -> Vec<StatusRange> {
        let ranges = self.expected_status.iter().map(StatusInput::to_range);
        ranges
            .filter_map(|range| errors.check("expected_status", range))
            .collect()
    }

    fn validate_headers(&self, errors: &mut Errors) -> BTreeMap<String, String> {
        if self.headers.len() > MAX_HEADERS {
            errors.add("headers", format!("at most {MAX_HEADERS} headers"));
        }
        let mut seen = BTreeSet::new();
        let mut headers = BTreeMap::new();
        for (name, value) in &self.headers {
            let name = name.trim();
            let value = value.trim();
            let checked = if seen.insert(name.to_ascii_lowercase()) {
                check_header(name, value)
            } else {
                Err(format!(
                    "header \"{name}\" is given twice (names ignore case)"
                ))
            };
            if errors.check("headers", checked).is_some() {
                headers.insert(name.to_owned(), value.to_owned());
            }
        }
        headers
    }

    fn validate_conditions(&self, errors: &mut Errors) -> Vec<Condition> {
        if self.conditions.len() > MAX_CONDITIONS {
            errors.add("conditions", format!("at most {MAX_CONDITIONS} conditions"));
        }
        let conditions = self
            .conditions
            .iter()
            .enumerate()
            .map(|(index, condition)| {
                condition
                    .to_condition()
                    .map_err(|message| format!("condition {}: {message}", index + 1))
            });
        conditions
            .filter_map(|condition| errors.check("conditions", condition))
            .collect()
    }

    fn validate_labels(&self, errors: &mut Errors) -> BTreeMap<String, String> {
        if self.labels.len() > MAX_LABELS {
            errors.add("labels", format!("at most {MAX_LABELS} labels"));
        }
        let mut labels = BTreeMap::new();
        for (key, value) in &self.labels {
            let (key, value) = (key.trim(), value.trim());
            if errors.check("labels", check_label(key, value)).is_some() {
                labels.insert(key.to_owned(), value.to_owned());
            }
        }
        labels
    }
}

impl StatusInput {
    pub fn to_range(&self) -> Result<StatusRange, String> {
        match self {
            StatusInput::Code(code) => check_status_code(*code).map(|code| StatusRange {
                from: code,
                to: code,
            }),
            StatusInput::Text(text) => parse_status_range(text),
        }
    }
}

impl From<StatusRange> for StatusInput {
    fn from(range: StatusRange) -> Self {
        if range.from == range.to {
            StatusInput::Code(range.from)
        } else {
            StatusInput::Text(status_range_text(range))
        }
    }
}

impl ConditionInput {
    pub fn to_condition(&self) -> Result<Condition, String> {
        check_condition(self)
    }
}

impl From<&Condition> for ConditionInput {
    fn from(condition: &Condition) -> Self {
        match condition {
            Condition::JsonPathEquals { path, value } => ConditionInput {
                json_path: Some(path.clone()),
                equals: Some(value.clone()),
                ..ConditionInput::default()
            },
            Condition::JsonPathContains { path, value } => ConditionInput {
                json_path: Some(path.clone()),
                contains: Some(value.clone()),
                ..ConditionInput::default()
            },
            Condition::BodyContains(text) => ConditionInput {
                body_contains: Some(text.clone()),
                ..ConditionInput::default()
            },
            Condition::ResponseTimeUnderMs(ms) => ConditionInput {
                response_time_under_ms: Some(*ms),
                ..ConditionInput::default()
            },
        }
    }
}

/// The name the API and the files use for a type.
pub fn type_name(check_type: CheckType) -> &'static str {
    match check_type {
        CheckType::Http => "http",
        CheckType::Tcp => "tcp",
        CheckType::Grpc => "grpc",
    }
}

/// The trimmed text, or `None` when absent or blank.
fn given(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        result.map_err(|message| self.add(field, message)).ok()
    }
}

#[cfg(test)]
#[path = "check_input_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "check_input_list_tests.rs"]
mod list_tests;

#[cfg(test)]
#[path = "check_input_serde_tests.rs"]
mod serde_tests;
