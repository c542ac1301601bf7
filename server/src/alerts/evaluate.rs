//! One evaluation: measure every enabled rule on every service it watches,
//! then move each alert instance: pending → firing → resolved.

use app::model::alert::{AlertRule, AlertState};
use app::model::silence::muting_silence;
use app::storage::alerts::{AlertChange, OpenAlert};
use app::storage::{Database, StorageError};
use chrono::{DateTime, Utc};

use super::measure::Measurements;

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
            // Labels are only built when there is a silence to match.
            if stays_open
                && !silences.is_empty()
                && let Some(silence) = muting_silence(
                    &silences,
                    current.map(|a| a.id),
                    &rule.alert_labels(&service),
                )
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use app::model::alert::{Comparison, RuleKind, Severity};

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
