//! The rule form on the rules page, as typed: lists and labels as one line
//! of text each, the threshold as text. It becomes a [`RuleInput`],
//! checked like the API's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::alert::AlertRule;
use super::alert_rule_input::RuleInput;
use crate::search_form::FieldError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleForm {
    pub name: String,
    pub kind: String,
    pub statistic: String,
    /// `orders, payments`; empty: every service.
    pub services: String,
    /// One operation of each service (error rate and latency); empty: all.
    pub operation: String,
    pub comparison: String,
    pub threshold: String,
    pub window: String,
    pub r#for: String,
    pub severity: String,
    /// `team=payments, tier=1`.
    pub labels: String,
    pub runbook_url: String,
    /// Target names, `pager, chat`; empty: every target.
    pub notify: String,
    pub enabled: bool,
}

impl Default for RuleForm {
    fn default() -> Self {
        RuleForm {
            name: String::new(),
            kind: "error_rate".to_owned(),
            statistic: String::new(),
            services: String::new(),
            operation: String::new(),
            comparison: ">".to_owned(),
            threshold: "0.05".to_owned(),
            window: "5m".to_owned(),
            r#for: String::new(),
            severity: "warning".to_owned(),
            labels: String::new(),
            runbook_url: String::new(),
            notify: String::new(),
            enabled: true,
        }
    }
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What the threshold means for each kind, shown under the field.
pub fn threshold_hint(kind: &str) -> &'static str {
    match kind {
        "error_rate" => "a fraction: 0.05 is 5 % of requests failing",
        "latency" => "seconds: 2 is two seconds",
        "memory" => "utilisation as a fraction (0.8 is 80 %), or bytes",
        "check" => "1 while a check is down: keep > 0.5",
        _ => "in the metric's own unit; counters compare their rate per second",
    }
}

/// The statistics a kind takes, the first the default.
pub fn statistics(kind: &str) -> &'static [&'static str] {
    match kind {
        "latency" => &["avg", "p50", "p95", "p99"],
        "memory" => &["utilization", "bytes"],
        "check" => &["unhealthy", "degraded"],
        _ => &[],
    }
}

impl RuleForm {
    /// A stored rule, for editing.
    pub fn from_rule(rule: &AlertRule) -> RuleForm {
        let input = RuleInput::from_rule(rule);
        RuleForm {
            name: input.name,
            kind: input.kind,
            statistic: input.statistic,
            services: input.services.join(", "),
            operation: input.operation,
            comparison: input.comparison,
            threshold: input.threshold.to_string(),
            window: input.window,
            r#for: input.r#for.unwrap_or_default(),
            severity: input.severity,
            labels: input
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            runbook_url: input.runbook_url,
            notify: input.notify.join(", "),
            enabled: input.enabled,
        }
    }

    /// The input the API would take, or what in the text is unreadable.
    pub fn to_input(&self) -> Result<RuleInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let threshold = self.threshold.trim().parse::<f64>();
        if threshold.is_err() {
            errors.push(FieldError {
                field: "threshold".to_owned(),
                message: "a number, like 0.05".to_owned(),
            });
        }
        let mut labels = BTreeMap::new();
        for pair in list(&self.labels) {
            match pair.split_once('=') {
                Some((name, value)) => {
                    labels.insert(name.trim().to_owned(), value.trim().to_owned());
                }
                None => errors.push(FieldError {
                    field: "labels".to_owned(),
                    message: format!("{pair:?} is not name=value"),
                }),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(RuleInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            statistic: self.statistic.clone(),
            services: list(&self.services),
            comparison: self.comparison.clone(),
            threshold: threshold.unwrap_or(f64::NAN),
            window: self.window.clone(),
            r#for: Some(self.r#for.clone()),
            severity: self.severity.clone(),
            labels,
            runbook_url: self.runbook_url.clone(),
            enabled: self.enabled,
            notify: list(&self.notify),
            operation: self.operation.trim().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_become_lists_and_labels() {
        let form = RuleForm {
            name: "Checkout p95".into(),
            kind: "latency".into(),
            statistic: "p95".into(),
            services: "checkout, payments,".into(),
            threshold: "1.5".into(),
            labels: "team=payments, tier = 1".into(),
            notify: "pager".into(),
            ..RuleForm::default()
        };
        let input = form.to_input().unwrap();
        assert_eq!(input.services, ["checkout", "payments"]);
        assert_eq!(input.labels["tier"], "1");
        assert_eq!(input.threshold, 1.5);
        let spec = input.validate().unwrap();
        assert_eq!(spec.notify, ["pager"]);
    }

    #[test]
    fn unreadable_text_is_named() {
        let form = RuleForm {
            threshold: "five percent".into(),
            labels: "team".into(),
            ..RuleForm::default()
        };
        let fields: Vec<String> = form
            .to_input()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["threshold", "labels"]);
    }
}
