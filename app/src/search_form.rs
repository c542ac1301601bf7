//! The trace search form: what is in the URL, and its validation. The same
//! rules run in the browser (messages next to the fields) and on the server
//! (which never trusts the browser).

use serde::{Deserialize, Serialize};

use crate::go_duration::parse_go_duration;

/// Traces shown when the form does not say.
pub const DEFAULT_LIMIT: usize = 20;
/// The most traces one search returns.
pub const MAX_LIMIT: usize = 500;

/// The form as typed: every field is text, as in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchForm {
    pub service: String,
    pub operation: String,
    /// `key=value` pairs separated by spaces; quote values with spaces:
    /// `http.route="/users/{id}" error=true`.
    pub tags: String,
    pub min_duration: String,
    pub max_duration: String,
    pub limit: String,
}

/// The URL parameters of the form, in order.
pub const FORM_PARAMS: [&str; 6] = [
    "service",
    "operation",
    "tags",
    "minDuration",
    "maxDuration",
    "limit",
];

/// A message for one field of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The URL parameter name of the field, e.g. `minDuration`.
    pub field: String,
    pub message: String,
}

/// A form that passed validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidSearch {
    pub service: Option<String>,
    pub operation: Option<String>,
    pub tags: Vec<(String, String)>,
    pub min_duration_ns: Option<i64>,
    pub max_duration_ns: Option<i64>,
    pub limit: usize,
}

impl SearchForm {
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> SearchForm {
        let field = |name: &str| get(name).unwrap_or_default();
        SearchForm {
            service: field("service"),
            operation: field("operation"),
            tags: field("tags"),
            min_duration: field("minDuration"),
            max_duration: field("maxDuration"),
            limit: field("limit"),
        }
    }

    /// Non-empty fields as URL parameters.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let values = [
            &self.service,
            &self.operation,
            &self.tags,
            &self.min_duration,
            &self.max_duration,
            &self.limit,
        ];
        FORM_PARAMS
            .into_iter()
            .zip(values)
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, value)| (name, value.trim().to_owned()))
            .collect()
    }

    /// Every problem at once, so the person fixes them in one go.
    pub fn validate(&self) -> Result<ValidSearch, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut error = |field: &'static str, message: String| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            })
        };
        let text = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        let tags = parse_tags(&self.tags).unwrap_or_else(|message| {
            error("tags", message);
            Vec::new()
        });
        let mut duration = |field: &'static str, value: &str| match text(value) {
            None => None,
            Some(value) => parse_go_duration(&value)
                .map_err(|message| error(field, message))
                .ok(),
        };
        let min_duration_ns = duration("minDuration", &self.min_duration);
        let max_duration_ns = duration("maxDuration", &self.max_duration);
        if let (Some(min), Some(max)) = (min_duration_ns, max_duration_ns)
            && min > max
        {
            error(
                "maxDuration",
                "the maximum duration is below the minimum".to_owned(),
            );
        }
        let limit = match text(&self.limit) {
            None => DEFAULT_LIMIT,
            Some(value) => match value.parse::<usize>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
                _ => {
                    error(
                        "limit",
                        format!("\"{value}\" is not a number from 1 to {MAX_LIMIT}"),
                    );
                    DEFAULT_LIMIT
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidSearch {
            service: text(&self.service),
            operation: text(&self.operation),
            tags,
            min_duration_ns,
            max_duration_ns,
            limit,
        })
    }
}

/// Reads `key=value key2="a value"` (logfmt, as Jaeger's search form).
pub fn parse_tags(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut tags = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let Some(equals) = rest.find('=') else {
            let word = rest.split_whitespace().next().unwrap_or(rest);
            return Err(format!("\"{word}\" needs a value: write key=value"));
        };
        let key = &rest[..equals];
        if key.is_empty() || key.contains(char::is_whitespace) {
            let word = key.split_whitespace().next().unwrap_or("=");
            return Err(format!("\"{word}\" needs a value: write key=value"));
        }
        rest = &rest[equals + 1..];
        let value = if let Some(quoted) = rest.strip_prefix('"') {
            let close = quoted
                .find('"')
                .ok_or_else(|| format!("the value of \"{key}\" has no closing quote"))?;
            rest = &quoted[close + 1..];
            quoted[..close].to_owned()
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let value = rest[..end].to_owned();
            rest = &rest[end..];
            value
        };
        tags.push((key.to_owned(), value));
        rest = rest.trim_start();
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(min: &str, max: &str, limit: &str, tags: &str) -> SearchForm {
        SearchForm {
            service: "checkout".into(),
            min_duration: min.into(),
            max_duration: max.into(),
            limit: limit.into(),
            tags: tags.into(),
            ..SearchForm::default()
        }
    }

    #[test]
    fn a_valid_form_becomes_a_search() {
        let valid = form("1.2s", "2s", "5", "error=true http.route=\"/a b\"")
            .validate()
            .unwrap();
        assert_eq!(valid.min_duration_ns, Some(1_200_000_000));
        assert_eq!(valid.max_duration_ns, Some(2_000_000_000));
        assert_eq!(valid.limit, 5);
        assert_eq!(
            valid.tags,
            vec![
                ("error".to_owned(), "true".to_owned()),
                ("http.route".to_owned(), "/a b".to_owned())
            ]
        );
        assert_eq!(valid.service.as_deref(), Some("checkout"));
        assert_eq!(valid.operation, None);
    }

    #[test]
    fn every_bad_field_gets_its_own_message() {
        let errors = form("abc", "1s", "0", "novalue").validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["tags", "minDuration", "limit"]);
        let errors = form("2s", "1s", "", "").validate().unwrap_err();
        assert_eq!(errors[0].field, "maxDuration");
    }

    #[test]
    fn tags_need_keys_values_and_closed_quotes() {
        assert!(parse_tags("=x").is_err());
        assert!(parse_tags("a=\"open").is_err());
        assert_eq!(parse_tags("  ").unwrap(), vec![]);
        assert_eq!(
            parse_tags("a= b=2").unwrap(),
            vec![("a".into(), "".into()), ("b".into(), "2".into())]
        );
    }

    #[test]
    fn the_url_keeps_only_filled_fields() {
        let pairs = form("1s", "", "", "").query_pairs();
        assert_eq!(
            pairs,
            vec![
                ("service", "checkout".to_owned()),
                ("minDuration", "1s".to_owned())
            ]
        );
    }
}
