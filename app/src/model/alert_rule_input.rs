//! A rule as people write it (the API's JSON, later the rules form), and
//! the checks that turn it into something the evaluator can use.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::alert::{AlertRule, Comparison, RuleKind, Severity};
use crate::search_form::FieldError;

/// A rule as written: durations as text (`5m`), the rest as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub statistic: String,
    #[serde(default)]
    pub services: Vec<String>,
    pub comparison: String,
    pub threshold: f64,
    pub window: String,
    #[serde(default)]
    pub r#for: Option<String>,
    pub severity: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub runbook_url: String,
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// Notification targets by name; empty: every enabled target.
    #[serde(default)]
    pub notify: Vec<String>,
    /// Error rate and latency: one operation instead of the whole service.
    #[serde(default)]
    pub operation: String,
}

fn enabled() -> bool {
    true
}

/// What a valid input stores (everything but the id and `builtin`).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSpec {
    pub name: String,
    pub kind: RuleKind,
    pub statistic: String,
    pub services: Vec<String>,
    pub comparison: Comparison,
    pub threshold: f64,
    pub window_secs: i32,
    pub for_secs: i32,
    pub severity: Severity,
    pub labels: BTreeMap<String, String>,
    pub runbook_url: String,
    pub enabled: bool,
    pub notify: Vec<String>,
    pub operation: String,
}

impl RuleSpec {
    /// The rule this spec stores, under `id`.
    pub fn into_rule(self, id: i64, builtin: bool) -> AlertRule {
        AlertRule {
            id,
            name: self.name,
            kind: self.kind,
            statistic: self.statistic,
            services: self.services,
            comparison: self.comparison,
            threshold: self.threshold,
            window_secs: self.window_secs,
            for_secs: self.for_secs,
            severity: self.severity,
            labels: self.labels,
            runbook_url: self.runbook_url,
            enabled: self.enabled,
            builtin,
            notify: self.notify,
            operation: self.operation,
        }
    }
}

impl AlertRule {
    /// Its settings, to change and store again.
    pub fn spec(&self) -> RuleSpec {
        RuleSpec {
            name: self.name.clone(),
            kind: self.kind,
            statistic: self.statistic.clone(),
            services: self.services.clone(),
            comparison: self.comparison,
            threshold: self.threshold,
            window_secs: self.window_secs,
            for_secs: self.for_secs,
            severity: self.severity,
            labels: self.labels.clone(),
            runbook_url: self.runbook_url.clone(),
            enabled: self.enabled,
            notify: self.notify.clone(),
            operation: self.operation.clone(),
        }
    }
}

fn seconds(text: &str) -> Option<i64> {
    crate::duration::parse_duration(text)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
}

impl RuleInput {
    /// The rule, or a message per wrong field.
    pub fn validate(&self) -> Result<RuleSpec, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut refuse = |field: &str, message: &str| {
            errors.push(FieldError {
                field: field.to_owned(),
                message: message.to_owned(),
            })
        };
        let name = self.name.trim();
        if !(1..=100).contains(&name.chars().count()) {
            refuse("name", "a rule name is 1 to 100 characters");
        }
        let kind = RuleKind::parse(&self.kind);
        match kind {
            None => refuse("kind", "one of error_rate, latency, memory, check, metric"),
            Some(RuleKind::Latency)
                if !["avg", "p50", "p95", "p99"].contains(&self.statistic.as_str()) =>
            {
                refuse("statistic", "for latency: avg, p50, p95 or p99")
            }
            Some(RuleKind::Memory)
                if !["utilization", "bytes"].contains(&self.statistic.as_str()) =>
            {
                refuse("statistic", "for memory: utilization or bytes")
            }
            Some(RuleKind::Check)
                if !["unhealthy", "degraded"].contains(&self.statistic.as_str()) =>
            {
                refuse("statistic", "for checks: unhealthy or degraded")
            }
            Some(RuleKind::Metric) if self.statistic.trim().is_empty() => {
                refuse("statistic", "the name of the metric to watch")
            }
            _ => {}
        }
        let comparison = Comparison::parse(&self.comparison);
        if comparison.is_none() {
            refuse("comparison", "one of >, >=, <, <=");
        }
        if !self.threshold.is_finite() {
            refuse("threshold", "a number");
        }
        let window = seconds(&self.window).filter(|s| (60..=86_400).contains(s));
        if window.is_none() {
            refuse("window", "a duration from 1m to 24h, like 5m");
        }
        let for_secs = match &self.r#for {
            None => Some(0),
            Some(text) if text.trim().is_empty() => Some(0),
            Some(text) => seconds(text).filter(|s| *s <= 86_400),
        };
        if for_secs.is_none() {
            refuse("for", "a duration up to 24h, like 1m, or nothing");
        }
        let severity = Severity::parse(&self.severity);
        if severity.is_none() {
            refuse("severity", "warning or critical");
        }
        for (name, value) in &self.labels {
            if !super::silence_input::is_label_name(name) {
                refuse("labels", &format!("{name:?} is not a label name"));
            } else if super::alert::RESERVED_LABELS.contains(&name.as_str()) {
                refuse("labels", &format!("{name} is set by Watchpost itself"));
            } else if value.chars().count() > 200 {
                refuse(
                    "labels",
                    &format!("the value of {name} is over 200 characters"),
                );
            }
        }
        let operation = self.operation.trim();
        if !operation.is_empty() && !matches!(kind, Some(RuleKind::ErrorRate | RuleKind::Latency)) {
            refuse(
                "operation",
                "only error-rate and latency rules watch an operation",
            );
        }
        if self.notify.iter().any(|t| t.trim().is_empty()) {
            refuse("notify", "target names cannot be empty");
        }
        if self.services.iter().any(|s| s.trim().is_empty()) {
            refuse("services", "service names cannot be empty");
        }
        let runbook = self.runbook_url.trim();
        let linkable = runbook.starts_with("https://") || runbook.starts_with("http://");
        // A link people click during an incident: web pages only, never
        // `javascript:` or the like.
        if !runbook.is_empty() && !linkable {
            refuse("runbook_url", "an http:// or https:// link");
        }
        match (kind, comparison, window, for_secs, severity) {
            (Some(kind), Some(comparison), Some(window), Some(for_secs), Some(severity))
                if errors.is_empty() =>
            {
                Ok(RuleSpec {
                    name: name.to_owned(),
                    kind,
                    statistic: self.statistic.trim().to_owned(),
                    services: self.services.iter().map(|s| s.trim().to_owned()).collect(),
                    comparison,
                    threshold: self.threshold,
                    window_secs: window as i32,
                    for_secs: for_secs as i32,
                    severity,
                    labels: self.labels.clone(),
                    runbook_url: runbook.to_owned(),
                    enabled: self.enabled,
                    notify: self.notify.iter().map(|t| t.trim().to_owned()).collect(),
                    operation: operation.to_owned(),
                })
            }
            _ => Err(errors),
        }
    }

    /// A stored rule as written, for editing.
    pub fn from_rule(rule: &AlertRule) -> RuleInput {
        RuleInput {
            name: rule.name.clone(),
            kind: rule.kind.as_str().to_owned(),
            statistic: rule.statistic.clone(),
            services: rule.services.clone(),
            comparison: rule.comparison.as_str().to_owned(),
            threshold: rule.threshold,
            window: format!("{}s", rule.window_secs),
            r#for: Some(format!("{}s", rule.for_secs)),
            severity: rule.severity.as_str().to_owned(),
            labels: rule.labels.clone(),
            runbook_url: rule.runbook_url.clone(),
            enabled: rule.enabled,
            notify: rule.notify.clone(),
            operation: rule.operation.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> RuleInput {
        RuleInput {
            name: "Checkout p95".into(),
            kind: "latency".into(),
            statistic: "p95".into(),
            services: vec!["checkout".into()],
            comparison: ">".into(),
            threshold: 1.5,
            window: "10m".into(),
            r#for: Some("2m".into()),
            severity: "critical".into(),
            labels: BTreeMap::new(),
            runbook_url: "https://wiki.example/checkout".into(),
            enabled: true,
            notify: vec![],
            operation: String::new(),
        }
    }

    #[test]
    fn a_good_rule_passes_and_round_trips() {
        let spec = input().validate().unwrap();
        assert_eq!((spec.window_secs, spec.for_secs), (600, 120));
        assert_eq!(spec.kind, RuleKind::Latency);
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = RuleInput {
            name: String::new(),
            statistic: "p42".into(),
            comparison: "=~".into(),
            threshold: f64::NAN,
            window: "5s".into(),
            r#for: Some("forever".into()),
            severity: "page".into(),
            runbook_url: "javascript:alert(1)".into(),
            ..input()
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "statistic",
                "comparison",
                "threshold",
                "window",
                "for",
                "severity",
                "runbook_url"
            ]
        );
    }
}
