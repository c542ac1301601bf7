//! The check form in the UI: every field as the text a person typed. It
//! becomes a `CheckInput` (the text areas split into their parts) and then
//! goes through `CheckInput::validate`, the rule set the JSON API and the
//! checks file use too. The browser runs the same code before sending, so
//! messages appear next to the fields without a round trip.

use serde::{Deserialize, Serialize};

use crate::model::check::{CheckSpec, CheckType};
use crate::model::check_input::{
    CheckInput, conditions_text, format_duration_ms, pairs_text, parse_conditions_text,
    parse_pairs_text, parse_status_text, status_text, type_name,
};
use crate::search_form::FieldError;

/// The form's fields. `target` is the URL of an HTTP check and `host:port`
/// otherwise; its messages come back under `url` or `target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckForm {
    pub name: String,
    pub service: String,
    pub check_type: String,
    pub target: String,
    pub method: String,
    pub interval: String,
    pub timeout: String,
    pub expected_status: String,
    /// `Name: value` a line.
    pub headers: String,
    /// One condition a line, e.g. `$.status == healthy`.
    pub conditions: String,
    pub failure_threshold: String,
    pub success_threshold: String,
    /// `key=value` a line.
    pub labels: String,
    pub paused: bool,
    pub public: bool,
}

impl Default for CheckForm {
    /// A new check: HTTP, with the defaults written out so people see them.
    fn default() -> Self {
        CheckForm {
            name: String::new(),
            service: String::new(),
            check_type: "http".to_owned(),
            target: String::new(),
            method: "GET".to_owned(),
            interval: "10s".to_owned(),
            timeout: "5s".to_owned(),
            expected_status: "2xx".to_owned(),
            headers: String::new(),
            conditions: String::new(),
            failure_threshold: "3".to_owned(),
            success_threshold: "1".to_owned(),
            labels: String::new(),
            paused: false,
            public: false,
        }
    }
}

/// The form field a validation message belongs next to.
pub fn form_field(field: &str) -> &str {
    match field {
        "url" => "target",
        "type" => "check_type",
        other => other,
    }
}

impl CheckForm {
    /// The form an existing check's edit page starts from.
    pub fn from_spec(spec: &CheckSpec) -> CheckForm {
        CheckForm {
            name: spec.name.clone(),
            service: spec.service.clone(),
            check_type: type_name(spec.check_type).to_owned(),
            target: spec.target.clone(),
            method: spec.method.clone(),
            interval: format_duration_ms(spec.interval_ms),
            timeout: format_duration_ms(spec.timeout_ms),
            expected_status: status_text(&spec.expected_status),
            headers: pairs_text(&spec.headers, ':'),
            conditions: conditions_text(&spec.conditions),
            failure_threshold: spec.failure_threshold.to_string(),
            success_threshold: spec.success_threshold.to_string(),
            labels: pairs_text(&spec.labels, '='),
            paused: spec.paused,
            public: spec.public,
        }
    }

    /// The check, or every message at once, each under its form field.
    pub fn validate(&self) -> Result<CheckSpec, Vec<FieldError>> {
        let (input, mut errors) = self.to_input();
        match input.validate() {
            Ok(spec) if errors.is_empty() => Ok(spec),
            Ok(_) => Err(errors),
            Err(more) => {
                for error in more {
                    let field = form_field(&error.field);
                    // A text area that did not split already has its message.
                    if !errors.iter().any(|e| e.field == field) {
                        errors.push(FieldError {
                            field: field.to_owned(),
                            message: error.message,
                        });
                    }
                }
                Err(errors)
            }
        }
    }

    /// The input the text stands for, and the fields whose text could not
    /// be split (left empty in the input).
    fn to_input(&self) -> (CheckInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut field = |name: &str, message: String| {
            errors.push(FieldError {
                field: name.to_owned(),
                message,
            })
        };
        let is_http = self
            .check_type
            .trim()
            .eq_ignore_ascii_case(type_name(CheckType::Http));
        let blank_is_none = |text: &str| {
            let text = text.trim();
            (!text.is_empty()).then(|| text.to_owned())
        };
        let headers = parse_pairs_text(&self.headers, ':').unwrap_or_else(|message| {
            field("headers", message);
            Default::default()
        });
        let labels = parse_pairs_text(&self.labels, '=').unwrap_or_else(|message| {
            field("labels", message);
            Default::default()
        });
        let conditions = parse_conditions_text(&self.conditions).unwrap_or_else(|message| {
            field("conditions", message);
            Vec::new()
        });
        let mut threshold = |name: &str, text: &str| match text.trim() {
            "" => None,
            text => text.parse::<u32>().map(Some).unwrap_or_else(|_| {
                field(name, format!("\"{text}\" is not a whole number"));
                None
            }),
        };
        let failure_threshold = threshold("failure_threshold", &self.failure_threshold);
        let success_threshold = threshold("success_threshold", &self.success_threshold);
        let target = blank_is_none(&self.target);
        let input = CheckInput {
            name: self.name.clone(),
            service: self.service.clone(),
            check_type: self.check_type.clone(),
            url: if is_http { target.clone() } else { None },
            target: if is_http { None } else { target },
            // Method and statuses only mean something for HTTP; a type
            // switched away from HTTP keeps its defaults in the form.
            method: if is_http {
                blank_is_none(&self.method)
            } else {
                None
            },
            interval: blank_is_none(&self.interval),
            timeout: blank_is_none(&self.timeout),
            expected_status: if is_http {
                parse_status_text(&self.expected_status)
            } else {
                Vec::new()
            },
            headers,
            conditions,
            failure_threshold,
            success_threshold,
            paused: self.paused,
            labels,
            public: self.public,
        };
        (input, errors)
    }
}

#[cfg(test)]
#[path = "check_form_tests.rs"]
mod tests;
