//! One evaluation: measure every enabled rule on every service it watches,
//! then move each alert instance: pending → firing → resolved.

use std::collections::HashMap;

use app::model::alert::{AlertRule, AlertState, RuleKind};
use app::model::check::CheckState;
use app::model::silence::muting_silence;
use app::storage::alerts::{AlertChange, OpenAlert};
use app::storage::{Database, StorageError};
use chrono::{DateTime, Utc};

/// Utilisation metrics (0..1) from the semantic conventions, by preference.
pub const MEMORY_UTILIZATION: [&str; 4] = [
    "container.memory.utilization",
    "k8s.container.memory_limit_utilization",
    "process.memory.utilization",
    "system.memory.utilization",
];
/// Where no utilisation is reported: usage over a limit, by preference.
/// Usage and limit pair up per instance (same resource and attributes).
pub const MEMORY_USAGE_AND_LIMIT: [(&str, &str); 6] = [
    ("container.memory.usage", "k8s.container.memory_limit"),
    ("container.memory.usage", "container.memory.limit"),
    ("process.memory.usage", "process.memory.limit"),
    ("jvm.memory.used", "jvm.memory.limit"),
    (
        "process.runtime.jvm.memory.usage",
        "process.runtime.jvm.memory.limit",
    ),
    ("system.memory.usage", "system.memory.limit"),
];
/// Memory in bytes, for rules with statistic `bytes`.
pub const MEMORY_BYTES: [&str; 3] = [
    "container.memory.usage",
    "process.memory.usage",
    "process.runtime.jvm.memory.usage",
];

/// What an evaluation did, for logs and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvaluationSummary {
    pub rules: usize,
    pub opened: usize,
    pub fired: usize,
    pub resolved: usize,
    /// Firing, unacknowledged alerts sent again.
    pub repeated: usize,
    /// Open alerts a silence mutes.
    pub silenced: usize,
    /// Silences about to end that were reminded about.
    pub reminded: usize,
}

/// How long before a silence ends its reminder goes out.
pub const SILENCE_REMINDER: chrono::Duration = chrono::Duration::minutes(15);

/// Evaluates every enabled rule at `now` and stores what changed. Tests
/// pass `now` explicitly, so `for` durations need no sleeping.
pub async fn evaluate_once(
    db: &Database,
    now: DateTime<Utc>,
) -> Result<EvaluationSummary, StorageError> {
    let rules = db.alert_rules(true).await?;
    let open = db.open_alerts().await?;
    let silences = db.active_silences(now).await?;
    let mut measurements = Measurements::new(db, now);
    let mut changes = Vec::new();
    let mut silenced = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for rule in &rules {
        for (service, value) in measurements.of(rule).await? {
            if !rule.watches(&service) {
                continue;
            }
            let fingerprint = fingerprint(rule.id, &service);
            let current = open.iter().find(|a| a.fingerprint == fingerprint);
            seen.insert(fingerprint.clone());
            let change = decide(
                rule,
                &service,
                current,
                Some(value),
                now,
                fingerprint.clone(),
            );
            let stays_open = match &change {
                Some(AlertChange::Open { .. } | AlertChange::Confirm { .. }) => true,
                Some(AlertChange::Move { to, .. }) => *to != AlertState::Resolved,
                None => false,
            };
            let labels = rule.alert_labels(&service);
            if stays_open
                && let Some(silence) = muting_silence(&silences, current.map(|a| a.id), &labels)
            {
                silenced.push((fingerprint, silence));
            }
            changes.extend(change);
        }
    }
    // Open alerts no rule measured this round: the service stopped
    // reporting, or the rule was disabled. Their condition no longer holds.
    for alert in open.iter().filter(|a| !seen.contains(&a.fingerprint)) {
        changes.push(AlertChange::Move {
            id: alert.id,
            to: AlertState::Resolved,
            value: None,
            note: "no longer measured (no data, or the rule is disabled)".to_owned(),
        });
    }
    let mut summary = EvaluationSummary {
        rules: rules.len(),
        silenced: silenced.len(),
        ..EvaluationSummary::default()
    };
    for change in &changes {
        match change {
            AlertChange::Open { state, .. } => {
                summary.opened += 1;
                summary.fired += usize::from(*state == AlertState::Firing);
            }
            AlertChange::Move { to, .. } => {
                summary.fired += usize::from(*to == AlertState::Firing);
                summary.resolved += usize::from(*to == AlertState::Resolved);
            }
            AlertChange::Confirm { .. } => {}
        }
    }
    db.apply_alert_changes(&changes, &silenced, now).await?;
    // Fired while muted and still firing now the silence is over.
    let unannounced = db.firing_unannounced().await?;
    db.enqueue_notifications(&unannounced, "firing").await?;
    // Firing and still nobody on it: say so again, each repeat interval.
    let repeats = db.alerts_due_for_repeat(now).await?;
    db.enqueue_notifications(&repeats, "repeat").await?;
    summary.repeated = repeats.len();
    summary.reminded = db
        .remind_expiring_silences(now, SILENCE_REMINDER)
        .await?
        .len();
    Ok(summary)
}

/// One rule on one service: the same fingerprint is the same alert.
pub fn fingerprint(rule_id: i64, service: &str) -> String {
    format!("{rule_id}/{service}")
}

/// The change one measurement makes to one (possibly absent) alert.
pub fn decide(
    rule: &AlertRule,
    service: &str,
    current: Option<&OpenAlert>,
    value: Option<f64>,
    now: DateTime<Utc>,
    fingerprint: String,
) -> Option<AlertChange> {
    let holds = value.is_some_and(|v| rule.comparison.holds(v, rule.threshold));
    match (current, holds) {
        (None, false) => None,
        (None, true) => Some(AlertChange::Open {
            fingerprint,
            rule_id: rule.id,
            service: service.to_owned(),
            state: if rule.for_secs <= 0 {
                AlertState::Firing
            } else {
                AlertState::Pending
            },
            value: value.unwrap_or_default(),
        }),
        (Some(alert), true) => {
            let held_for = now - alert.pending_since;
            let due = held_for >= chrono::Duration::seconds(i64::from(rule.for_secs));
            if alert.state == "pending" && due {
                Some(AlertChange::Move {
                    id: alert.id,
                    to: AlertState::Firing,
                    value,
                    note: format!("held for {}s", held_for.num_seconds()),
                })
            } else {
                Some(AlertChange::Confirm {
                    id: alert.id,
                    value: value.unwrap_or_default(),
                })
            }
        }
        (Some(alert), false) => Some(AlertChange::Move {
            id: alert.id,
            to: AlertState::Resolved,
            value,
            note: if alert.state == "pending" {
                "cleared before it fired".to_owned()
            } else {
                "condition cleared".to_owned()
            },
        }),
    }
}

/// Measurements shared by the rules of one evaluation: the rollups of one
/// window are read once however many rules use it.
pub(crate) struct Measurements<'a> {
    db: &'a Database,
    now: DateTime<Utc>,
    red: HashMap<i32, Vec<app::model::red::ServiceRed>>,
    checks: Option<Vec<app::model::check::CheckRecord>>,
    /// Latest metric values per (metric names, window).
    metrics: HashMap<(String, i32), Vec<(String, f64)>>,
}

impl<'a> Measurements<'a> {
    pub(crate) fn new(db: &'a Database, now: DateTime<Utc>) -> Self {
        Measurements {
            db,
            now,
            red: HashMap::new(),
            checks: None,
            metrics: HashMap::new(),
        }
    }

    fn window_start_ns(&self, rule: &AlertRule) -> i64 {
        let start = self.now - chrono::Duration::seconds(i64::from(rule.window_secs));
        start.timestamp_nanos_opt().unwrap_or(0)
    }

    /// The rule's window ending now, in unix ns.
    fn window_ns(&self, rule: &AlertRule) -> (i64, i64) {
        let end = self.now.timestamp_nanos_opt().unwrap_or(i64::MAX);
        (self.window_start_ns(rule), end)
    }

    /// The rule's value per service.
    pub(crate) async fn of(
        &mut self,
        rule: &AlertRule,
    ) -> Result<Vec<(String, f64)>, StorageError> {
        match rule.kind {
            RuleKind::ErrorRate | RuleKind::Latency => self.red_values(rule).await,
            RuleKind::Check => self.check_values(rule).await,
            RuleKind::Memory if rule.statistic == "bytes" => {
                self.metric_values(rule, &MEMORY_BYTES).await
            }
            RuleKind::Memory => self.memory_utilization(rule).await,
            RuleKind::Metric => self.metric_rule_values(rule).await,
        }
    }

    async fn red_values(&mut self, rule: &AlertRule) -> Result<Vec<(String, f64)>, StorageError> {
        let (start_ns, end_ns) = self.window_ns(rule);
        if !self.red.contains_key(&rule.window_secs) {
            let services = self.db.service_red(start_ns, end_ns, 1).await?;
            self.red.insert(rule.window_secs, services);
        }
        let mut figures: Vec<(String, app::model::red::RedFigures)> = Vec::new();
        for service in &self.red[&rule.window_secs] {
            if rule.operation.is_empty() {
                figures.push((service.name.clone(), service.figures));
            } else if rule.watches(&service.name) {
                // The operation's own figures, server and client spans alike.
                let (_, operations) = self
                    .db
                    .operation_red(&service.name, start_ns, end_ns)
                    .await?;
                if let Some(operation) = operations.into_iter().find(|o| o.name == rule.operation) {
                    figures.push((service.name.clone(), operation.figures));
                }
            }
        }
        Ok(figures
            .into_iter()
            .filter(|(_, f)| f.requests > 0)
            .filter_map(|(service, f)| {
                let value = match rule.kind {
                    RuleKind::ErrorRate => Some(f.errors as f64 / f.requests as f64),
                    _ => latency_seconds(&rule.statistic, &f),
                };
                value.map(|v| (service, v))
            })
            .collect())
    }

    async fn check_values(&mut self, rule: &AlertRule) -> Result<Vec<(String, f64)>, StorageError> {
        if self.checks.is_none() {
            self.checks = Some(self.db.checks().await?);
        }
        let degraded_counts = rule.statistic == "degraded";
        let mut worst: HashMap<String, f64> = HashMap::new();
        for check in self.checks.iter().flatten() {
            if check.spec.paused || check.spec.service.is_empty() {
                continue;
            }
            let (state, _) = check.service_state();
            let down = matches!(state, CheckState::Unhealthy | CheckState::Unreachable)
                || (degraded_counts && state == CheckState::Degraded);
            let value = worst.entry(check.spec.service.clone()).or_default();
            *value = value.max(f64::from(u8::from(down)));
        }
        Ok(worst.into_iter().collect())
    }

    async fn metric_values(
        &mut self,
        rule: &AlertRule,
        names: &[&str],
    ) -> Result<Vec<(String, f64)>, StorageError> {
        let key = (names.join(","), rule.window_secs);
        if let Some(values) = self.metrics.get(&key) {
            return Ok(values.clone());
        }
        let latest = self
            .db
            .latest_metric_values(names, self.window_ns(rule))
            .await?;
        // Per service, the first name in `names` that it reports.
        let mut chosen: HashMap<String, (usize, f64)> = HashMap::new();
        for (service, name, value) in latest {
            let rank = names.iter().position(|n| *n == name).unwrap_or(usize::MAX);
            let entry = chosen.entry(service).or_insert((rank, value));
            if rank < entry.0 {
                *entry = (rank, value);
            }
        }
        let values: Vec<(String, f64)> = chosen.into_iter().map(|(s, (_, v))| (s, v)).collect();
        self.metrics.insert(key, values.clone());
        Ok(values)
    }
}

impl Measurements<'_> {
    /// Memory utilisation per service: as reported, or else computed from
    /// usage and a known limit.
    async fn memory_utilization(
        &mut self,
        rule: &AlertRule,
    ) -> Result<Vec<(String, f64)>, StorageError> {
        let mut values: HashMap<String, f64> = self
            .metric_values(rule, &MEMORY_UTILIZATION)
            .await?
            .into_iter()
            .collect();
        let computed = self
            .db
            .memory_utilization_from_limits(&MEMORY_USAGE_AND_LIMIT, self.window_ns(rule))
            .await?;
        let mut best: HashMap<String, (i32, f64)> = HashMap::new();
        for (service, rank, utilization) in computed {
            let entry = best.entry(service).or_insert((rank, utilization));
            if rank < entry.0 {
                *entry = (rank, utilization);
            }
        }
        for (service, (_, utilization)) in best {
            values.entry(service).or_insert(utilization);
        }
        Ok(values.into_iter().collect())
    }

    /// A `metric` rule's value per service: a sum's rate per second (a
    /// counter's latest total says nothing about now), anything else its
    /// latest value; the largest over the service's streams.
    async fn metric_rule_values(
        &mut self,
        rule: &AlertRule,
    ) -> Result<Vec<(String, f64)>, StorageError> {
        use app::model::metric_rate::{SumPoint, cumulative_rate, delta_rate};
        let points = self
            .db
            .metric_points_between(&rule.statistic, self.window_ns(rule))
            .await?;
        let mut by_service: HashMap<String, f64> = HashMap::new();
        for stream in points.chunk_by(|a, b| a.stream_id == b.stream_id) {
            let first = &stream[0];
            let sums: Vec<SumPoint> = stream
                .iter()
                .map(|p| SumPoint {
                    time_ns: p.time_ns,
                    start_ns: p.start_ns,
                    value: p.value,
                })
                .collect();
            let value = match (first.kind, first.temporality) {
                (2, 2) if first.monotonic => cumulative_rate(&sums),
                (2, 1) => delta_rate(&sums),
                _ => stream.last().map(|p| p.value),
            };
            if let Some(value) = value {
                let entry = by_service.entry(first.service.clone()).or_insert(value);
                *entry = entry.max(value);
            }
        }
        Ok(by_service.into_iter().collect())
    }
}

fn latency_seconds(statistic: &str, f: &app::model::red::RedFigures) -> Option<f64> {
    let ns = match statistic {
        "p50" => f.p50_ns? as f64,
        "p95" => f.p95_ns? as f64,
        "p99" => f.p99_ns? as f64,
        // "avg" and anything unknown: the mean.
        _ => f.duration_sum_ns as f64 / f.requests.max(1) as f64,
    };
    Some(ns / 1e9)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use app::model::alert::{Comparison, Severity};

    use super::*;

    fn rule(for_secs: i32) -> AlertRule {
        AlertRule {
            id: 7,
            name: "errors".into(),
            kind: RuleKind::ErrorRate,
            statistic: String::new(),
            services: vec![],
            comparison: Comparison::Above,
            threshold: 0.05,
            window_secs: 300,
            for_secs,
            severity: Severity::Warning,
            labels: BTreeMap::new(),
            runbook_url: String::new(),
            enabled: true,
            builtin: true,
            notify: vec![],
            operation: String::new(),
        }
    }

    fn open(state: &str, since: DateTime<Utc>) -> OpenAlert {
        OpenAlert {
            id: 1,
            fingerprint: "7/orders".into(),
            state: state.into(),
            pending_since: since,
        }
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn run(
        rule: &AlertRule,
        current: Option<&OpenAlert>,
        value: f64,
        now: i64,
    ) -> Option<AlertChange> {
        decide(
            rule,
            "orders",
            current,
            Some(value),
            at(now),
            "7/orders".into(),
        )
    }

    #[test]
    fn without_for_an_alert_fires_at_once_and_resolves_when_clear() {
        let rule = rule(0);
        assert!(matches!(
            run(&rule, None, 0.2, 0),
            Some(AlertChange::Open {
                state: AlertState::Firing,
                ..
            })
        ));
        assert_eq!(run(&rule, None, 0.01, 0), None);
        let firing = open("firing", at(0));
        assert_eq!(
            run(&rule, Some(&firing), 0.3, 15),
            Some(AlertChange::Confirm { id: 1, value: 0.3 })
        );
        assert!(matches!(
            run(&rule, Some(&firing), 0.0, 30),
            Some(AlertChange::Move {
                to: AlertState::Resolved,
                ..
            })
        ));
    }

    #[test]
    fn a_for_duration_keeps_it_pending_and_flapping_never_fires() {
        let rule = rule(60);
        assert!(matches!(
            run(&rule, None, 0.2, 0),
            Some(AlertChange::Open {
                state: AlertState::Pending,
                ..
            })
        ));
        let pending = open("pending", at(0));
        assert!(matches!(
            run(&rule, Some(&pending), 0.2, 45),
            Some(AlertChange::Confirm { .. })
        ));
        // Cleared at 50 s: resolved before it fired; a flap starts over.
        assert!(matches!(
            run(&rule, Some(&pending), 0.0, 50),
            Some(AlertChange::Move { to: AlertState::Resolved, ref note, .. }) if note.contains("before it fired")
        ));
        assert!(matches!(
            run(&rule, Some(&pending), 0.2, 60),
            Some(AlertChange::Move {
                to: AlertState::Firing,
                ..
            })
        ));
    }

    #[test]
    fn nan_and_missing_values_never_hold() {
        let rule = rule(0);
        assert_eq!(run(&rule, None, f64::NAN, 0), None);
        assert_eq!(
            decide(&rule, "orders", None, None, at(0), "7/orders".into()),
            None
        );
    }
}
