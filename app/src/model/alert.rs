//! Alert rules and alerts, shared by the evaluator, the API and the pages.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a rule measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Errors / requests over the window, 0..1, from the span rollups.
    ErrorRate,
    /// Seconds: the average, or p50/p95/p99, over the window.
    Latency,
    /// Memory utilisation 0..1, from the metrics the services send.
    Memory,
    /// 1 while a health check of the service is down (or degraded, with
    /// statistic `degraded`), else 0.
    Check,
    /// The latest value of the metric named in `statistic`.
    Metric,
}

impl RuleKind {
    pub const ALL: [RuleKind; 5] = [
        RuleKind::ErrorRate,
        RuleKind::Latency,
        RuleKind::Memory,
        RuleKind::Check,
        RuleKind::Metric,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::ErrorRate => "error_rate",
            RuleKind::Latency => "latency",
            RuleKind::Memory => "memory",
            RuleKind::Check => "check",
            RuleKind::Metric => "metric",
        }
    }

    pub fn parse(text: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// How the measured value is compared with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    #[serde(rename = ">")]
    Above,
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = "<")]
    Below,
    #[serde(rename = "<=")]
    AtMost,
}

impl Comparison {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Above => ">",
            Comparison::AtLeast => ">=",
            Comparison::Below => "<",
            Comparison::AtMost => "<=",
        }
    }

    pub fn parse(text: &str) -> Option<Comparison> {
        [
            Comparison::Above,
            Comparison::AtLeast,
            Comparison::Below,
            Comparison::AtMost,
        ]
        .into_iter()
        .find(|c| c.as_str() == text)
    }

    /// Whether `value` breaks the rule. NaN never does.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Above => value > threshold,
            Comparison::AtLeast => value >= threshold,
            Comparison::Below => value < threshold,
            Comparison::AtMost => value <= threshold,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        [Severity::Warning, Severity::Critical]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Pending,
    Firing,
    Resolved,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
            AlertState::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<AlertState> {
        [
            AlertState::Pending,
            AlertState::Firing,
            AlertState::Resolved,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A rule as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRule {
    pub id: i64,
    pub name: String,
    pub kind: RuleKind,
    pub statistic: String,
    /// Empty: every service.
    pub services: Vec<String>,
    pub comparison: Comparison,
    pub threshold: f64,
    pub window_secs: i32,
    pub for_secs: i32,
    pub severity: Severity,
    pub labels: BTreeMap<String, String>,
    pub runbook_url: String,
    pub enabled: bool,
    pub builtin: bool,
    /// Notification targets by name; empty: every enabled target.
    #[serde(default)]
    pub notify: Vec<String>,
    /// For error-rate and latency rules: one operation (span name) of each
    /// service instead of the whole service; empty: the whole service.
    #[serde(default)]
    pub operation: String,
}

impl AlertRule {
    /// Whether the rule watches `service`.
    pub fn watches(&self, service: &str) -> bool {
        self.services.is_empty() || self.services.iter().any(|s| s == service)
    }

    /// The labels of its alert on `service`, which silences match.
    pub fn alert_labels(&self, service: &str) -> BTreeMap<String, String> {
        alert_labels(&self.name, service, self.severity, &self.labels)
    }
}

/// An alert's labels: the rule's own, then `alertname` and `rule` (the
/// rule's name, `alertname` as in Alertmanager), `service` and `severity`,
/// which the rule's labels cannot override.
pub fn alert_labels(
    rule: &str,
    service: &str,
    severity: Severity,
    own: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut labels = own.clone();
    labels.insert("alertname".to_owned(), rule.to_owned());
    labels.insert("rule".to_owned(), rule.to_owned());
    labels.insert("service".to_owned(), service.to_owned());
    labels.insert("severity".to_owned(), severity.as_str().to_owned());
    labels
}

/// Labels Watchpost sets on every alert; rules cannot use these names.
pub const RESERVED_LABELS: [&str; 4] = ["alertname", "rule", "service", "severity"];

/// An alert as lists and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: i64,
    pub rule_id: i64,
    pub rule: String,
    pub kind: RuleKind,
    pub threshold: f64,
    pub severity: Severity,
    pub service: String,
    pub state: AlertState,
    pub value: Option<f64>,
    pub pending_since: DateTime<Utc>,
    pub firing_since: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub ack_comment: Option<String>,
    pub runbook_url: String,
    /// The rule's labels.
    pub rule_labels: BTreeMap<String, String>,
    /// The silence muting it now, if any.
    pub silenced_by: Option<i64>,
    /// Services downstream of this one, firing or down, where its trouble
    /// most likely starts (see `model::incident`); filled in for lists.
    #[serde(default)]
    pub impacted_by: Vec<String>,
}

impl Alert {
    /// Its labels, as silences and Alertmanager clients see them.
    pub fn labels(&self) -> BTreeMap<String, String> {
        alert_labels(&self.rule, &self.service, self.severity, &self.rule_labels)
    }

    /// The value as people read it: percentages, seconds, or as measured.
    pub fn value_text(&self, value: f64) -> String {
        match self.kind {
            RuleKind::ErrorRate => format!("{:.1} %", value * 100.0),
            RuleKind::Memory if value <= 1.0 => format!("{:.0} %", value * 100.0),
            RuleKind::Latency => format!("{value:.2} s"),
            RuleKind::Check => if value > 0.0 { "down" } else { "up" }.to_owned(),
            _ => format!("{value}"),
        }
    }

    /// Where to look for the traces behind it: the service's failed traces
    /// for an error rate, its slow ones for latency, its traces otherwise.
    pub fn traces_href(&self) -> String {
        let service = crate::model::account::encode_query_value(&self.service);
        match self.kind {
            RuleKind::ErrorRate => format!("/traces?service={service}&tags=error%3Dtrue"),
            RuleKind::Latency => format!(
                "/traces?service={service}&minDuration={}ms",
                (self.threshold * 1000.0).round()
            ),
            _ => format!("/traces?service={service}"),
        }
    }
}

/// One change of an alert's state, with the value that caused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AlertTransition {
    pub at: DateTime<Utc>,
    /// None for the first (the alert opened).
    pub from_state: Option<String>,
    pub to_state: String,
    pub value: Option<f64>,
    pub note: String,
}

/// One notification of an alert to one target, with its last attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DeliveryRecord {
    pub id: i64,
    pub target: String,
    pub event: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i32,
    pub delivered_at: Option<DateTime<Utc>>,
    pub given_up_at: Option<DateTime<Utc>>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
}

/// An alert with everything that happened to it: the detail page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertHistory {
    pub alert: Alert,
    pub transitions: Vec<AlertTransition>,
    pub deliveries: Vec<DeliveryRecord>,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A firing error-rate alert on `service`, for tests.
    pub fn alert(id: i64, service: &str) -> Alert {
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        Alert {
            id,
            rule_id: 1,
            rule: "High error rate".into(),
            kind: RuleKind::ErrorRate,
            threshold: 0.05,
            severity: Severity::Warning,
            service: service.into(),
            state: AlertState::Firing,
            value: Some(0.5),
            pending_since: at,
            firing_since: Some(at),
            resolved_at: None,
            resolved_by: None,
            acknowledged_by: None,
            acknowledged_at: None,
            ack_comment: None,
            runbook_url: String::new(),
            rule_labels: BTreeMap::new(),
            silenced_by: None,
            impacted_by: Vec::new(),
        }
    }
}
