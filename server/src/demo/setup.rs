//! What the demo registers in its database before the fleet starts: a
//! health check per service, and alert rules tuned to the incident cycle.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use app::model::alert::{Comparison, RuleKind, Severity};
use app::model::alert_rule_input::RuleSpec;
use app::model::check::CheckSpec;
use app::model::check_input::CheckInput;
use app::storage::{Database, StorageError};

use super::DemoError;

/// The rule the demo adds to the built-in ones: the "p95 above 2 s".
const ORDER_LATENCY_RULE: &str = "Order latency p95";

/// Error-rate and latency rules read minute rollups; one minute is the
/// shortest window that reads at least one whole minute.
const RULE_WINDOW_SECS: i32 = 60;
/// A check alert waits this long, so one slow probe does not page anyone.
const CHECK_RULE_FOR_SECS: i32 = 10;

/// The check of one service's health endpoint at `address`.
pub fn check_spec(service: &str, address: SocketAddr) -> Result<CheckSpec, DemoError> {
    let input = CheckInput {
        name: format!("{service} health"),
        service: service.to_owned(),
        check_type: "http".to_owned(),
        url: Some(format!("http://{address}/health")),
        interval: Some("5s".to_owned()),
        timeout: Some("2s".to_owned()),
        failure_threshold: Some(2),
        success_threshold: Some(1),
        labels: BTreeMap::from([("demo".to_owned(), "true".to_owned())]),
        public: true,
        ..CheckInput::default()
    };
    input.validate().map_err(|errors| {
        DemoError::Setup(format!(
            "the demo's check of {service} is invalid: {}",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ))
    })
}

/// Registers the fleet's checks and tunes the rules.
pub async fn register(db: &Database, checks: &[CheckSpec]) -> Result<(), DemoError> {
    db.sync_demo_checks(checks)
        .await
        .map_err(|error| match error {
            StorageError::NameTaken => DemoError::Setup(
                "a health check not made by the demo has the name of one of the demo's".to_owned(),
            ),
            other => DemoError::Storage(other),
        })?;
    tune_rules(db).await?;
    Ok(())
}

/// The built-in rules look at five minutes, which would smear each
/// incident over the whole cycle; in the demo's own database they look at
/// one, so every alert fires and resolves within a cycle.
async fn tune_rules(db: &Database) -> Result<(), DemoError> {
    let rules = db.alert_rules(false).await?;
    for rule in rules.iter().filter(|r| r.builtin) {
        let mut spec = rule.spec();
        spec.window_secs = match rule.kind {
            RuleKind::Check => spec.window_secs,
            _ => RULE_WINDOW_SECS,
        };
        spec.for_secs = match rule.kind {
            RuleKind::Check => CHECK_RULE_FOR_SECS,
            _ => 0,
        };
        if spec != rule.spec() {
            db.update_alert_rule(rule.id, &spec).await?;
        }
    }
    let order_latency = RuleSpec {
        name: ORDER_LATENCY_RULE.to_owned(),
        kind: RuleKind::Latency,
        statistic: "p95".to_owned(),
        services: vec!["order-service".to_owned()],
        comparison: Comparison::Above,
        threshold: 2.0,
        window_secs: RULE_WINDOW_SECS,
        for_secs: 0,
        severity: Severity::Critical,
        labels: BTreeMap::from([("team".to_owned(), "orders".to_owned())]),
        runbook_url: String::new(),
        enabled: true,
        notify: Vec::new(),
        operation: String::new(),
    };
    match rules.iter().find(|r| r.name == ORDER_LATENCY_RULE) {
        Some(rule) if rule.spec() != order_latency => {
            db.update_alert_rule(rule.id, &order_latency).await?;
        }
        Some(_) => {}
        None => {
            db.create_alert_rule(&order_latency).await?;
        }
    }
    Ok(())
}
