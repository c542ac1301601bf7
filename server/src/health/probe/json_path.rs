//! A small JSON-path evaluator for check conditions: `$` then any of `.key`,
//! `["key"]` (or `['key']`) and `[index]`. No wildcards, filters or slices:
//! a condition names one value.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

/// One step from a value to a child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A parsed path such as `$.checks[0]["name"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    text: String,
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonPathError {
    #[error("must start with `$`")]
    MissingRoot,
    #[error("empty key after `.` at byte {at}")]
    EmptyKey { at: usize },
    #[error("unexpected {found:?} at byte {at}")]
    Unexpected { found: char, at: usize },
    #[error("unclosed `[` at byte {at}")]
    Unclosed { at: usize },
    #[error("{text:?} at byte {at} is not an index")]
    BadIndex { text: String, at: usize },
}

impl JsonPath {
    pub fn parse(text: &str) -> Result<JsonPath, JsonPathError> {
        let rest = text.strip_prefix('$').ok_or(JsonPathError::MissingRoot)?;
        let mut steps = Vec::new();
        let mut at = 1;
        while let Some(first) = rest[at - 1..].chars().next() {
            let (step, used) = match first {
                '.' => dotted_key(&rest[at..], at)?,
                '[' => bracketed(&rest[at..], at)?,
                found => return Err(JsonPathError::Unexpected { found, at }),
            };
            steps.push(step);
            at += 1 + used;
        }
        Ok(JsonPath {
            text: text.to_owned(),
            steps,
        })
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The value the path names, or `None` where a key or index is missing or
    /// a step meets the wrong kind of value.
    pub fn lookup<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        self.steps.iter().try_fold(root, |value, step| match step {
            Step::Key(key) => value.as_object()?.get(key),
            Step::Index(index) => value.as_array()?.get(*index),
        })
    }
}

impl FromStr for JsonPath {
    type Err = JsonPathError;

    fn from_str(text: &str) -> Result<JsonPath, JsonPathError> {
        JsonPath::parse(text)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A value as conditions compare it: strings without their quotes, anything
/// else as its JSON text (`42`, `true`, `null`, `{"a":1}`).
pub fn value_as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// `.key`: the key runs to the next `.` or `[`. `after_dot` starts after the
/// dot, which sits at byte `at` of the path. Returns the step and the bytes
/// used after the dot.
fn dotted_key(after_dot: &str, at: usize) -> Result<(Step, usize), JsonPathError> {
    let len = after_dot.find(['.', '[']).unwrap_or(after_dot.len());
    if len == 0 {
        return Err(JsonPathError::EmptyKey { at });
    }
    Ok((Step::Key(after_dot[..len].to_owned()), len))
}

/// `["key"]`, `['key']` or `[index]`; `inside` starts after the `[`.
fn bracketed(inside: &str, at: usize) -> Result<(Step, usize), JsonPathError> {
    match inside.chars().next() {
        Some(quote @ ('"' | '\'')) => quoted_key(inside, quote, at),
        _ => {
            let close = inside.find(']').ok_or(JsonPathError::Unclosed { at })?;
            let digits = inside[..close].trim();
            let index = digits.parse().map_err(|_| JsonPathError::BadIndex {
                text: digits.to_owned(),
                at: at + 1,
            })?;
            Ok((Step::Index(index), close + 1))
        }
    }
}

/// A quoted key; a backslash escapes the next character (the quote itself or
/// a backslash).
fn quoted_key(inside: &str, quote: char, at: usize) -> Result<(Step, usize), JsonPathError> {
    let mut key = String::new();
    let mut chars = inside.char_indices().skip(1);
    while let Some((offset, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, escaped)) => key.push(escaped),
                None => break,
            },
            c if c == quote => {
                let after = offset + c.len_utf8();
                return match inside[after..].chars().next() {
                    Some(']') => Ok((Step::Key(key), after + 1)),
                    Some(found) => Err(JsonPathError::Unexpected {
                        found,
                        at: at + 1 + after,
                    }),
                    None => Err(JsonPathError::Unclosed { at }),
                };
            }
            c => key.push(c),
        }
    }
    Err(JsonPathError::Unclosed { at })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn steps(text: &str) -> Vec<Step> {
        match JsonPath::parse(text) {
            Ok(path) => path.steps().to_vec(),
            Err(error) => panic!("{text}: {error}"),
        }
    }

    fn key(name: &str) -> Step {
        Step::Key(name.to_owned())
    }

    #[test]
    fn parses_every_step_form() {
        assert_eq!(steps("$"), vec![]);
        assert_eq!(steps("$.a.b"), vec![key("a"), key("b")]);
        assert_eq!(steps("$.a[2]"), vec![key("a"), Step::Index(2)]);
        assert_eq!(steps(r#"$["a.b"]['c']"#), vec![key("a.b"), key("c")]);
        assert_eq!(steps(r#"$["say \"hi\""]"#), vec![key(r#"say "hi""#)]);
        assert_eq!(
            steps("$[0][1].x"),
            vec![Step::Index(0), Step::Index(1), key("x")]
        );
        assert_eq!(steps("$.café"), vec![key("café")]);
    }

    #[test]
    fn rejects_malformed_paths() {
        let cases = [
            ("a.b", JsonPathError::MissingRoot),
            ("$.", JsonPathError::EmptyKey { at: 1 }),
            ("$..a", JsonPathError::EmptyKey { at: 1 }),
            ("$a", JsonPathError::Unexpected { found: 'a', at: 1 }),
            ("$[1", JsonPathError::Unclosed { at: 1 }),
            ("$[\"a\"", JsonPathError::Unclosed { at: 1 }),
            ("$[\"a\"x]", JsonPathError::Unexpected { found: 'x', at: 5 }),
        ];
        for (text, expected) in cases {
            assert_eq!(JsonPath::parse(text), Err(expected), "{text}");
        }
        assert!(matches!(
            JsonPath::parse("$[-1]"),
            Err(JsonPathError::BadIndex { .. })
        ));
    }

    #[test]
    fn never_panics_on_short_odd_paths() {
        let alphabet = ['$', '.', '[', ']', '"', '\'', '\\', '1', 'a', 'é'];
        let mut paths = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = paths
                .iter()
                .flat_map(|path| alphabet.iter().map(move |c| format!("{path}{c}")))
                .collect();
            paths.extend(longer);
        }
        for path in paths {
            let _ = JsonPath::parse(&path);
        }
    }

    #[test]
    fn looks_up_values() {
        let body = json!({"a": {"b": [10, {"c": "deep"}]}, "x.y": true});
        let lookup = |text: &str| JsonPath::parse(text).ok()?.lookup(&body).cloned();
        assert_eq!(lookup("$.a.b[0]"), Some(json!(10)));
        assert_eq!(lookup("$.a.b[1].c"), Some(json!("deep")));
        assert_eq!(lookup(r#"$["x.y"]"#), Some(json!(true)));
        assert_eq!(lookup("$"), Some(body.clone()));
        assert_eq!(lookup("$.a.b[5]"), None);
        assert_eq!(lookup("$.a.missing"), None);
        assert_eq!(lookup("$.a[0]"), None, "index into an object");
        assert_eq!(lookup("$.a.b.c"), None, "key into an array");
    }

    #[test]
    fn compares_strings_without_quotes_and_the_rest_as_json() {
        assert_eq!(value_as_text(&json!("up")), "up");
        assert_eq!(value_as_text(&json!(3.5)), "3.5");
        assert_eq!(value_as_text(&json!(null)), "null");
        assert_eq!(value_as_text(&json!({"a": [1, true]})), r#"{"a":[1,true]}"#);
    }
}
