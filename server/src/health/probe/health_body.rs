//! The health-endpoint convention: a JSON body such as
//! `{"status":"degraded","version":"1.4.2","dependencies":{"db":{"status":"down"}}}`
//! says how the service sees itself. Understanding it lets a check report
//! degraded and name the failing dependency instead of only "200 OK".
//!
//! Recognized: a top-level `status` string in a word we know (see
//! [`state_from_word`]); `version` as a string or number; dependencies under
//! `dependencies` (or Spring's `components`, or `checks`), either an object of
//! `name: {"status": ...}` / `name: "status"` or an array of
//! `{"name": ..., "status": ...}`.

use serde_json::{Map, Value};

use super::{CheckState, DependencyStatus};

/// What a health endpoint said about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthReport {
    pub state: CheckState,
    pub version: Option<String>,
    pub dependencies: Vec<DependencyStatus>,
}

const DEPENDENCY_KEYS: [&str; 3] = ["dependencies", "components", "checks"];

/// Reads a body as a health report. `None` unless the top-level `status` is a
/// word we know: plenty of ordinary APIs have a `status` field meaning
/// something else ("created", "active"), and those must not read as degraded.
pub fn parse_health_report(body: &Value) -> Option<HealthReport> {
    let object = body.as_object()?;
    let state = state_from_word(object.get("status")?.as_str()?)?;
    let version = object.get("version").and_then(|version| match version {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    });
    let dependencies = DEPENDENCY_KEYS
        .iter()
        .find_map(|key| object.get(*key))
        .map(dependencies_from)
        .unwrap_or_default();
    Some(HealthReport {
        state,
        version,
        dependencies,
    })
}

/// Maps a status word, case-insensitively, to a state.
pub fn state_from_word(word: &str) -> Option<CheckState> {
    match word.trim().to_ascii_lowercase().as_str() {
        "healthy" | "up" | "ok" | "pass" | "passing" => Some(CheckState::Healthy),
        "degraded" | "warn" | "warning" => Some(CheckState::Degraded),
        "unhealthy" | "down" | "fail" | "failing" | "critical" => Some(CheckState::Unhealthy),
        _ => None,
    }
}

impl HealthReport {
    /// Why the report is not healthy, e.g. `reports degraded: db is unhealthy,
    /// queue is "paused"`; `None` when it reports healthy.
    pub fn summary(&self) -> Option<String> {
        if self.state == CheckState::Healthy {
            return None;
        }
        let mut summary = format!("reports {}", self.state.as_str());
        let failing: Vec<String> = self
            .dependencies
            .iter()
            .filter(|dependency| dependency.state != CheckState::Healthy)
            .map(describe_dependency)
            .collect();
        if !failing.is_empty() {
            summary.push_str(": ");
            summary.push_str(&failing.join(", "));
        }
        Some(summary)
    }
}

fn describe_dependency(dependency: &DependencyStatus) -> String {
    match &dependency.detail {
        Some(detail) => format!("{} is {detail:?}", dependency.name),
        None => format!("{} is {}", dependency.name, dependency.state.as_str()),
    }
}

fn dependencies_from(value: &Value) -> Vec<DependencyStatus> {
    match value {
        Value::Object(by_name) => by_name
            .iter()
            .map(|(name, entry)| dependency(name.clone(), entry))
            .collect(),
        Value::Array(entries) => entries
            .iter()
            .enumerate()
            .map(|(index, entry)| dependency(array_entry_name(entry, index), entry))
            .collect(),
        _ => Vec::new(),
    }
}

fn array_entry_name(entry: &Value, index: usize) -> String {
    entry
        .get("name")
        .and_then(Value::as_str)
        .map_or_else(|| format!("#{index}"), str::to_owned)
}

/// One dependency from its entry: a status word, an object with `status`, or
/// (the `checks` style) an array of such objects, where the worst one counts.
fn dependency(name: String, entry: &Value) -> DependencyStatus {
    let (state, detail) = match entry {
        Value::String(word) => judge_word(word),
        Value::Object(fields) => judge_fields(fields),
        Value::Array(parts) => parts
            .iter()
            .filter_map(Value::as_object)
            .map(judge_fields)
            .max_by_key(|(state, _)| *state)
            .unwrap_or_else(no_status),
        _ => no_status(),
    };
    DependencyStatus {
        name,
        state,
        detail,
    }
}

fn judge_fields(fields: &Map<String, Value>) -> (CheckState, Option<String>) {
    match fields.get("status") {
        Some(Value::String(word)) => judge_word(word),
        Some(other) => (CheckState::Degraded, Some(other.to_string())),
        None => no_status(),
    }
}

/// A word we do not know is kept, verbatim, and counts as degraded: the
/// dependency said something other than healthy.
fn judge_word(word: &str) -> (CheckState, Option<String>) {
    match state_from_word(word) {
        Some(state) => (state, None),
        None => (CheckState::Degraded, Some(word.to_owned())),
    }
}

fn no_status() -> (CheckState, Option<String>) {
    (CheckState::Degraded, Some("no status".to_owned()))
}

#[cfg(test)]
#[path = "health_body_tests.rs"]
mod tests;
