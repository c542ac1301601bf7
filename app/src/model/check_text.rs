//! The UI form's textareas for conditions, headers, labels and statuses,
//! each with its reverse so an edit form starts from what the check has.
//! The parsers only split text; `CheckInput::validate` judges the parts, so
//! the form reports the same errors as the API.

use std::collections::BTreeMap;

use crate::go_duration::parse_go_duration;
use crate::model::check::{Condition, StatusRange};
use crate::model::check_input::{ConditionInput, StatusInput};
use crate::model::check_parse::{format_duration_ms, parse_status_code, status_range_text};

const CONDITION_LINE_USAGE: &str = "write $.path == value, $.path contains text, \
     body contains text or response_time < 500ms";

/// The conditions textarea: one a line, blank lines ignored. A value may be
/// quoted to keep leading or trailing spaces (`$.name == " a "`); a JSON key
/// holding ` == ` or ` contains ` needs the `$["key"]` form.
pub fn parse_conditions_text(text: &str) -> Result<Vec<ConditionInput>, String> {
    let lines = text.lines().enumerate();
    let lines = lines.filter(|(_, line)| !line.trim().is_empty());
    lines
        .map(|(index, line)| {
            parse_condition_line(line.trim())
                .map_err(|message| format!("line {}: {message}", index + 1))
        })
        .collect()
}

fn parse_condition_line(line: &str) -> Result<ConditionInput, String> {
    let usage = || format!("\"{line}\" is not a condition: {CONDITION_LINE_USAGE}");
    if line.starts_with('$') {
        let (path, operator, value) = split_json_path_condition(line).ok_or_else(usage)?;
        let value = Some(unquote(value).to_owned());
        let json_path = Some(path.to_owned());
        return Ok(match operator {
            JsonOperator::Equals => ConditionInput {
                json_path,
                equals: value,
                ..ConditionInput::default()
            },
            JsonOperator::Contains => ConditionInput {
                json_path,
                contains: value,
                ..ConditionInput::default()
            },
        });
    }
    if let Some(text) = strip_word(line, "body").and_then(|rest| strip_word(rest, "contains")) {
        return Ok(ConditionInput {
            body_contains: Some(unquote(text.trim()).to_owned()),
            ..ConditionInput::default()
        });
    }
    if let Some(rest) = strip_word_prefix(line, "response_time") {
        let duration = rest
            .trim_start()
            .strip_prefix('<')
            .ok_or_else(usage)?
            .trim();
        let nanos = parse_go_duration(duration)
            .map_err(|_| format!("\"{duration}\" is not a duration: use e.g. 500ms or 2s"))?;
        let ms = nanos.unsigned_abs() / 1_000_000;
        if ms == 0 {
            return Err("the response time must be at least 1ms".to_owned());
        }
        return Ok(ConditionInput {
            response_time_under_ms: Some(ms),
            ..ConditionInput::default()
        });
    }
    Err(usage())
}

enum JsonOperator {
    Equals,
    Contains,
}

/// Finds the first ` == ` or ` contains ` outside a quoted `["key"]`, so
/// keys may hold spaces. A missing value is no match: an empty one must be
/// written `""`, so a forgotten value does not quietly match empty text.
fn split_json_path_condition(line: &str) -> Option<(&str, JsonOperator, &str)> {
    let mut quote = None;
    let mut previous = ' ';
    for (index, c) in line.char_indices() {
        match quote {
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None if previous == '[' && matches!(c, '"' | '\'') => quote = Some(c),
            None if c.is_whitespace() => {
                let rest = &line[index..];
                let operators = [
                    ("==", JsonOperator::Equals),
                    ("contains", JsonOperator::Contains),
                ];
                for (word, operator) in operators {
                    let value = strip_word(rest, word).map(str::trim);
                    if let Some(value) = value.filter(|value| !value.is_empty()) {
                        return Some((&line[..index], operator, value));
                    }
                }
            }
            None => {}
        }
        previous = c;
    }
    None
}

/// The text after `word` (any case) and its following space, if `text`
/// starts with that word.
fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let rest = strip_word_prefix(text, word)?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then_some(rest)
}

fn strip_word_prefix<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let text = text.trim_start();
    let head = text.get(..word.len())?;
    head.eq_ignore_ascii_case(word).then(|| &text[word.len()..])
}

fn unquote(value: &str) -> &str {
    match value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
    {
        Some(inner) => inner,
        None => value,
    }
}

/// Quotes exactly the values `unquote` would otherwise change or `trim`
/// would lose.
fn quote_if_needed(value: &str) -> String {
    let needs_quotes = value.is_empty() || value.starts_with('"') || value.trim() != value;
    if needs_quotes {
        format!("\"{value}\"")
    } else {
        value.to_owned()
    }
}

/// The conditions textarea for existing conditions; `parse_conditions_text`
/// reads it back to the same conditions.
pub fn conditions_text(conditions: &[Condition]) -> String {
    let line = |condition: &Condition| match condition {
        Condition::JsonPathEquals { path, value } => {
            format!("{path} == {}", quote_if_needed(value))
        }
        Condition::JsonPathContains { path, value } => {
            format!("{path} contains {}", quote_if_needed(value))
        }
        Condition::BodyContains(text) => format!("body contains {}", quote_if_needed(text)),
        Condition::ResponseTimeUnderMs(ms) => {
            format!("response_time < {}", format_duration_ms(*ms))
        }
    };
    conditions.iter().map(line).collect::<Vec<_>>().join("\n")
}

/// The headers (`Name: value`, separator ':') or labels (`key=value`,
/// separator '=') textarea: one pair a line, both sides trimmed, blank
/// lines ignored. The names themselves are judged by `validate`.
pub fn parse_pairs_text(text: &str, separator: char) -> Result<BTreeMap<String, String>, String> {
    let mut pairs = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let number = index + 1;
        let Some((key, value)) = line.split_once(separator) else {
            return Err(format!(
                "line {number}: write {}",
                pair_text("name", "value", separator)
            ));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(format!(
                "line {number}: the name before '{separator}' is missing"
            ));
        }
        if pairs
            .insert(key.to_owned(), value.trim().to_owned())
            .is_some()
        {
            return Err(format!("line {number}: \"{key}\" is given twice"));
        }
    }
    Ok(pairs)
}

/// The textarea for existing pairs, as `parse_pairs_text` reads it.
pub fn pairs_text(pairs: &BTreeMap<String, String>, separator: char) -> String {
    let lines = pairs
        .iter()
        .map(|(key, value)| pair_text(key, value, separator));
    lines.collect::<Vec<_>>().join("\n")
}

/// Headers read best as `Name: value`, labels as `key=value`.
fn pair_text(key: &str, value: &str, separator: char) -> String {
    let gap = if separator == ':' { " " } else { "" };
    format!("{key}{separator}{gap}{value}")
}

/// The expected-status field: codes and ranges separated by commas or
/// spaces ("200, 2xx, 300-302"). Numbers become codes and everything else
/// text, so `validate` reports bad entries with the other errors.
pub fn parse_status_text(text: &str) -> Vec<StatusInput> {
    let words = text.split(|c: char| c == ',' || c.is_whitespace());
    let words = words.filter(|word| !word.is_empty());
    words
        .map(|word| match parse_status_code(word) {
            Some(code) => StatusInput::Code(code),
            None => StatusInput::Text(word.to_owned()),
        })
        .collect()
}

/// The expected-status field for existing ranges.
pub fn status_text(ranges: &[StatusRange]) -> String {
    let words = ranges.iter().copied().map(status_range_text);
    words.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
#[path = "check_text_tests.rs"]
mod tests;
