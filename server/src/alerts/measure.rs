//! What each rule measures, per service, at one moment: error rate and
//! latency from the span rollups (per operation if the rule says so),
//! health-check state, memory (reported, or usage over a known limit) and
//! any metric. Shared by the evaluation and the rules page's preview.

use std::collections::HashMap;

use app::model::alert::{AlertRule, RuleKind};
use app::model::check::CheckState;
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
        let chosen = preferred(latest.into_iter().map(|(service, name, value)| {
            let rank = names.iter().position(|n| *n == name).unwrap_or(usize::MAX);
            (service, rank, value)
        }));
        let values: Vec<(String, f64)> = chosen.into_iter().collect();
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
        // Read once per window, however many memory rules share it.
        let key = ("memory usage over limit".to_owned(), rule.window_secs);
        if let Some(values) = self.metrics.get(&key) {
            return Ok(values.clone());
        }
        let mut values: HashMap<String, f64> = self
            .metric_values(rule, &MEMORY_UTILIZATION)
            .await?
            .into_iter()
            .collect();
        let computed = self
            .db
            .memory_utilization_from_limits(&MEMORY_USAGE_AND_LIMIT, self.window_ns(rule))
            .await?;
        let over_limits = preferred(computed.into_iter().map(|(service, rank, utilization)| {
            (
                service,
                usize::try_from(rank).unwrap_or(usize::MAX),
                utilization,
            )
        }));
        for (service, utilization) in over_limits {
            values.entry(service).or_insert(utilization);
        }
        let values: Vec<(String, f64)> = values.into_iter().collect();
        self.metrics.insert(key, values.clone());
        Ok(values)
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

/// Per service, the value of the lowest rank: the most preferred of the
/// metrics (or metric pairs) it reports.
fn preferred(ranked: impl Iterator<Item = (String, usize, f64)>) -> HashMap<String, f64> {
    let mut chosen: HashMap<String, (usize, f64)> = HashMap::new();
    for (service, rank, value) in ranked {
        let entry = chosen.entry(service).or_insert((rank, value));
        if rank < entry.0 {
            *entry = (rank, value);
        }
    }
    chosen.into_iter().map(|(s, (_, v))| (s, v)).collect()
}
