//! The alert part of `watchpost query-bench`: 1,000 rules over whatever
//! spans the database holds, and how long one evaluation cycle takes.

use std::collections::BTreeMap;
use std::time::Instant;

use app::model::alert::{Comparison, RuleKind, Severity};
use app::model::alert_rule_input::RuleSpec;
use app::storage::Database;

/// Rules made for the benchmark (the built-in four come on top).
pub const RULES: usize = 1_000;

/// Rule `n` of the benchmark: every kind, statistic and window in turn,
/// one service or all of them.
fn spec(n: usize, services: &[String]) -> RuleSpec {
    let windows = [300, 600, 900, 3_600];
    let (kind, statistic, threshold) = match n % 7 {
        0 => (RuleKind::ErrorRate, "", 0.05),
        1 => (RuleKind::Latency, "avg", 2.0),
        2 => (RuleKind::Latency, "p95", 1.0),
        3 => (RuleKind::Latency, "p99", 2.5),
        4 => (RuleKind::Check, "unhealthy", 0.5),
        5 => (RuleKind::Memory, "utilization", 0.8),
        _ => (RuleKind::Metric, "queue.depth", 100.0),
    };
    let scoped = !n.is_multiple_of(3) && !services.is_empty();
    RuleSpec {
        name: format!("bench rule {n}"),
        kind,
        statistic: statistic.to_owned(),
        services: if scoped {
            vec![services[n % services.len()].clone()]
        } else {
            Vec::new()
        },
        comparison: Comparison::Above,
        // Spread the thresholds so some rules fire and some do not.
        threshold: threshold * (0.5 + (n % 4) as f64 * 0.25),
        window_secs: windows[n % windows.len()],
        for_secs: if n.is_multiple_of(2) { 0 } else { 60 },
        severity: if n.is_multiple_of(5) {
            Severity::Critical
        } else {
            Severity::Warning
        },
        labels: BTreeMap::new(),
        runbook_url: String::new(),
        enabled: true,
        notify: Vec::new(),
        operation: String::new(),
    }
}

/// Adds the rules (once) and times `iterations` evaluations.
pub async fn run(db: &Database, iterations: usize) -> Result<(), String> {
    let existing = db.alert_rules(false).await.map_err(|e| e.to_string())?;
    let services = db.service_names().await.map_err(|e| e.to_string())?;
    for n in 0..RULES {
        let spec = spec(n, &services);
        if existing.iter().all(|r| r.name != spec.name) {
            db.create_alert_rule(&spec)
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    let mut timings = Vec::with_capacity(iterations);
    let mut summary = None;
    for _ in 0..iterations.max(1) {
        let started = Instant::now();
        let cycle = crate::alerts::evaluate_once(db, chrono::Utc::now())
            .await
            .map_err(|e| e.to_string())?;
        timings.push(started.elapsed());
        // The first cycle opens the alerts; later ones confirm them.
        summary.get_or_insert(cycle);
    }
    timings.sort_unstable();
    let ms =
        |q: f64| timings[((timings.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    let summary = summary.unwrap_or_default();
    println!(
        "alert evaluation, {} rules x {} services             p50 {:>7.2} ms   p95 {:>7.2} ms   max {:>7.2} ms   (target < 1000 ms; the first cycle opened {})",
        summary.rules,
        services.len(),
        ms(0.5),
        ms(0.95),
        ms(1.0),
        summary.opened,
    );
    time_preview(db, &services).await
}

/// Times the rules page's preview: an error-rate rule on every service
/// replayed over 6 hours (73 evaluations of one rule).
async fn time_preview(db: &Database, services: &[String]) -> Result<(), String> {
    let rule = spec(0, services).into_rule(0, false);
    let mut timings = Vec::new();
    let mut shown = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let preview = crate::alerts::preview::preview(db, &rule, chrono::Utc::now())
            .await
            .map_err(|e| e.to_string())?;
        timings.push(started.elapsed());
        shown = preview.series.len();
    }
    timings.sort_unstable();
    println!(
        "rule preview, error rate over 6 h in 5-min steps      p50 {:>7.2} ms   max {:>7.2} ms   ({shown} services)",
        timings[timings.len() / 2].as_secs_f64() * 1e3,
        timings[timings.len() - 1].as_secs_f64() * 1e3,
    );
    Ok(())
}
