//! Alert rules, alert instances and their transitions.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::model::alert::{Alert, AlertRule, AlertState, Comparison, RuleKind, Severity};
use crate::model::alert_rule_input::RuleSpec;
use crate::storage::notifications::enqueue;
use crate::storage::{Database, StorageError};

#[derive(FromRow)]
struct RuleRow {
    id: i64,
    name: String,
    kind: String,
    statistic: String,
    services: Vec<String>,
    comparison: String,
    threshold: f64,
    window_secs: i32,
    for_secs: i32,
    severity: String,
    labels: serde_json::Value,
    runbook_url: String,
    enabled: bool,
    builtin: bool,
}

/// A stored value the code does not know: the table's checks were changed.
fn corrupt(what: &str, value: &str) -> StorageError {
    StorageError::Query(sqlx::Error::Decode(
        format!("alert {what} {value:?} is unknown").into(),
    ))
}

impl TryFrom<RuleRow> for AlertRule {
    type Error = StorageError;

    fn try_from(row: RuleRow) -> Result<AlertRule, StorageError> {
        let labels = serde_json::from_value(row.labels)
            .map_err(|_| corrupt("labels", "not an object of strings"))?;
        Ok(AlertRule {
            kind: RuleKind::parse(&row.kind).ok_or_else(|| corrupt("kind", &row.kind))?,
            comparison: Comparison::parse(&row.comparison)
                .ok_or_else(|| corrupt("comparison", &row.comparison))?,
            severity: Severity::parse(&row.severity)
                .ok_or_else(|| corrupt("severity", &row.severity))?,
            id: row.id,
            name: row.name,
            statistic: row.statistic,
            services: row.services,
            threshold: row.threshold,
            window_secs: row.window_secs,
            for_secs: row.for_secs,
            labels,
            runbook_url: row.runbook_url,
            enabled: row.enabled,
            builtin: row.builtin,
        })
    }
}

/// An alert not yet resolved, as the evaluator needs it.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct OpenAlert {
    pub id: i64,
    pub fingerprint: String,
    pub state: String,
    pub pending_since: DateTime<Utc>,
}

/// A metric point with its stream's kind, for rates.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct WindowPoint {
    pub service: String,
    pub stream_id: i64,
    /// As in `metric_streams.kind`: 2 is a sum.
    pub kind: i16,
    /// 1 delta, 2 cumulative.
    pub temporality: i16,
    pub monotonic: bool,
    pub time_ns: i64,
    pub start_ns: i64,
    pub value: f64,
}

/// What one evaluation changes.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertChange {
    /// A new instance, pending or (with no `for`) firing at once.
    Open {
        fingerprint: String,
        rule_id: i64,
        service: String,
        state: AlertState,
        value: f64,
    },
    /// An open instance moves (pending → firing, or to resolved).
    Move {
        id: i64,
        to: AlertState,
        value: Option<f64>,
        note: String,
    },
    /// Still as it was; its value and evaluation time are refreshed.
    Confirm { id: i64, value: f64 },
}

#[derive(FromRow)]
struct AlertRow {
    id: i64,
    rule_id: i64,
    rule: String,
    kind: String,
    threshold: f64,
    severity: String,
    service: String,
    state: String,
    value: Option<f64>,
    pending_since: DateTime<Utc>,
    firing_since: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    resolved_by: Option<String>,
    acknowledged_by: Option<String>,
    acknowledged_at: Option<DateTime<Utc>>,
    ack_comment: Option<String>,
    runbook_url: String,
}

impl TryFrom<AlertRow> for Alert {
    type Error = StorageError;

    fn try_from(row: AlertRow) -> Result<Alert, StorageError> {
        Ok(Alert {
            severity: Severity::parse(&row.severity)
                .ok_or_else(|| corrupt("severity", &row.severity))?,
            state: AlertState::parse(&row.state).ok_or_else(|| corrupt("state", &row.state))?,
            kind: RuleKind::parse(&row.kind).ok_or_else(|| corrupt("kind", &row.kind))?,
            threshold: row.threshold,
            id: row.id,
            rule_id: row.rule_id,
            rule: row.rule,
            service: row.service,
            value: row.value,
            pending_since: row.pending_since,
            firing_since: row.firing_since,
            resolved_at: row.resolved_at,
            resolved_by: row.resolved_by,
            acknowledged_by: row.acknowledged_by,
            acknowledged_at: row.acknowledged_at,
            ack_comment: row.ack_comment,
            runbook_url: row.runbook_url,
        })
    }
}

const ALERT_COLUMNS: &str = "a.id, a.rule_id, r.name as rule, r.kind, r.threshold, r.severity, a.service, a.state, \
     a.value, a.pending_since, a.firing_since, a.resolved_at, a.resolved_by, a.acknowledged_by, \
     a.acknowledged_at, a.ack_comment, r.runbook_url";

impl Database {
    /// Every rule, or only the enabled ones, by name.
    pub async fn alert_rules(&self, enabled_only: bool) -> Result<Vec<AlertRule>, StorageError> {
        let rows: Vec<RuleRow> = sqlx::query_as(
            "select id, name, kind, statistic, services, comparison, threshold, window_secs, \
             for_secs, severity, labels, runbook_url, enabled, builtin \
             from alert_rules where enabled or not $1 order by name",
        )
        .bind(enabled_only)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(AlertRule::try_from).collect()
    }

    pub async fn alert_rule(&self, id: i64) -> Result<Option<AlertRule>, StorageError> {
        let row: Option<RuleRow> = sqlx::query_as(
            "select id, name, kind, statistic, services, comparison, threshold, window_secs, \
             for_secs, severity, labels, runbook_url, enabled, builtin from alert_rules where id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(AlertRule::try_from).transpose()
    }

    /// Stores a new rule; its id. A taken name is `NameTaken`.
    pub async fn create_alert_rule(&self, spec: &RuleSpec) -> Result<i64, StorageError> {
        let query = sqlx::query(
            "insert into alert_rules (name, kind, statistic, services, comparison, threshold, \
             window_secs, for_secs, severity, labels, runbook_url, enabled) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
        );
        let row = bind_rule(query, spec)
            .fetch_one(self.pool())
            .await
            .map_err(name_taken)?;
        Ok(sqlx::Row::try_get(&row, "id")?)
    }

    /// Replaces a rule's settings; false when there is no such rule.
    pub async fn update_alert_rule(&self, id: i64, spec: &RuleSpec) -> Result<bool, StorageError> {
        let query = sqlx::query(
            "update alert_rules set name = $1, kind = $2, statistic = $3, services = $4, \
             comparison = $5, threshold = $6, window_secs = $7, for_secs = $8, severity = $9, \
             labels = $10, runbook_url = $11, enabled = $12, updated_at = now() where id = $13",
        );
        let done = bind_rule(query, spec)
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(name_taken)?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes a rule that is not built in (those are disabled instead),
    /// with its alerts; false when there is no such deletable rule.
    pub async fn delete_alert_rule(&self, id: i64) -> Result<bool, StorageError> {
        let done = sqlx::query("delete from alert_rules where id = $1 and not builtin")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The instances not yet resolved.
    pub async fn open_alerts(&self) -> Result<Vec<OpenAlert>, StorageError> {
        Ok(sqlx::query_as(
            "select id, fingerprint, state, pending_since from alerts where state <> 'resolved'",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Applies one evaluation's changes at `now`, all or nothing, with a
    /// transition row for every change of state.
    pub async fn apply_alert_changes(
        &self,
        changes: &[AlertChange],
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool().begin().await?;
        let (mut fired, mut resolved) = (Vec::new(), Vec::new());
        for change in changes {
            match change {
                AlertChange::Open {
                    fingerprint,
                    rule_id,
                    service,
                    state,
                    value,
                } => {
                    let firing_since = (*state == AlertState::Firing).then_some(now);
                    let id: i64 = sqlx::query_scalar(
                        "insert into alerts (fingerprint, rule_id, service, state, value, \
                         pending_since, firing_since, evaluated_at) \
                         values ($1, $2, $3, $4, $5, $6, $7, $6) returning id",
                    )
                    .bind(fingerprint)
                    .bind(rule_id)
                    .bind(service)
                    .bind(state.as_str())
                    .bind(value)
                    .bind(now)
                    .bind(firing_since)
                    .fetch_one(&mut *tx)
                    .await?;
                    transition(&mut tx, id, now, None, *state, Some(*value), "").await?;
                    if *state == AlertState::Firing {
                        fired.push(id);
                    }
                }
                AlertChange::Move {
                    id,
                    to,
                    value,
                    note,
                } => {
                    let from: Option<String> = sqlx::query_scalar(
                        "update alerts a set state = $2, value = coalesce($3, a.value), \
                           evaluated_at = $4, \
                           firing_since = case when $2 = 'firing' then $4 else a.firing_since end, \
                           resolved_at = case when $2 = 'resolved' then $4 else a.resolved_at end \
                         from (select state from alerts where id = $1 for update) old \
                         where a.id = $1 returning old.state",
                    )
                    .bind(id)
                    .bind(to.as_str())
                    .bind(value)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let from = from.and_then(|s| AlertState::parse(&s));
                    transition(&mut tx, *id, now, from, *to, *value, note).await?;
                    match (from, to) {
                        (_, AlertState::Firing) => fired.push(*id),
                        // A pending alert was never announced: no "resolved".
                        (Some(AlertState::Firing), AlertState::Resolved) => resolved.push(*id),
                        _ => {}
                    }
                }
                AlertChange::Confirm { id, value } => {
                    sqlx::query("update alerts set value = $2, evaluated_at = $3 where id = $1")
                        .bind(id)
                        .bind(value)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        enqueue(&mut tx, &fired, "firing").await?;
        enqueue(&mut tx, &resolved, "resolved").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Alerts, open ones first (firing, then pending), newest first, then
    /// the latest resolved ones; `state` narrows to one state.
    pub async fn alerts(
        &self,
        state: Option<AlertState>,
        service: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Alert>, StorageError> {
        let rows: Vec<AlertRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {ALERT_COLUMNS} from alerts a join alert_rules r on r.id = a.rule_id \
             where ($1::text is null or a.state = $1) and ($2::text is null or a.service = $2) \
             order by case a.state when 'firing' then 0 when 'pending' then 1 else 2 end, \
               coalesce(a.resolved_at, a.pending_since) desc, a.id desc \
             limit $3"
        )))
        .bind(state.map(AlertState::as_str))
        .bind(service)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(Alert::try_from).collect()
    }

    pub async fn alert(&self, id: i64) -> Result<Option<Alert>, StorageError> {
        let row: Option<AlertRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {ALERT_COLUMNS} from alerts a join alert_rules r on r.id = a.rule_id \
             where a.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(Alert::try_from).transpose()
    }

    /// Acknowledges an open alert (`by` is a username); false when there is
    /// no such open alert.
    pub async fn acknowledge_alert(
        &self,
        id: i64,
        by: &str,
        comment: &str,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "update alerts set acknowledged_by = $2, acknowledged_at = now(), ack_comment = $3 \
             where id = $1 and state <> 'resolved'",
        )
        .bind(id)
        .bind(by)
        .bind(Some(comment).filter(|c| !c.is_empty()))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        enqueue(&mut tx, &[id], "acknowledged").await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Takes an acknowledgement back, so re-notification resumes.
    pub async fn unacknowledge_alert(&self, id: i64) -> Result<bool, StorageError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "update alerts set acknowledged_by = null, acknowledged_at = null, ack_comment = null \
             where id = $1 and state <> 'resolved'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        enqueue(&mut tx, &[id], "unacknowledged").await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Resolves an open alert by hand; a new instance opens if the
    /// condition still holds at the next evaluation.
    pub async fn resolve_alert(&self, id: i64, by: &str) -> Result<bool, StorageError> {
        let mut tx = self.pool().begin().await?;
        let from: Option<String> = sqlx::query_scalar(
            "update alerts a set state = 'resolved', resolved_at = now(), resolved_by = $2 \
             from (select state from alerts where id = $1 and state <> 'resolved' for update) old \
             where a.id = $1 returning old.state",
        )
        .bind(id)
        .bind(by)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(from) = from else {
            return Ok(false);
        };
        let note = format!("resolved by {by}");
        let from = AlertState::parse(&from);
        transition(
            &mut tx,
            id,
            Utc::now(),
            from,
            AlertState::Resolved,
            None,
            &note,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every valued point of metric `name` since `since_ns`, by stream and
    /// time, with what the evaluator needs to turn sums into rates.
    pub async fn metric_points_since(
        &self,
        name: &str,
        since_ns: i64,
    ) -> Result<Vec<WindowPoint>, StorageError> {
        Ok(sqlx::query_as(
            "select s.service, s.id as stream_id, s.kind, s.temporality, s.monotonic, \
               p.time_ns, p.start_ns, p.value \
             from metric_streams s join metric_points p on p.stream_id = s.id \
             where s.name = $1 and p.time_ns >= $2 and p.value is not null \
             order by s.id, p.time_ns",
        )
        .bind(name)
        .bind(since_ns)
        .fetch_all(self.pool())
        .await?)
    }

    /// The latest value in [since, now] of any of `names`, per service:
    /// the largest across the service's streams (a fleet of instances is
    /// as full as its fullest). Gauges and sums only.
    pub async fn latest_metric_values(
        &self,
        names: &[&str],
        since_ns: i64,
    ) -> Result<Vec<(String, String, f64)>, StorageError> {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        Ok(sqlx::query_as(
            "select service, name, max(value) from ( \
               select distinct on (s.id) s.service, s.name, p.value \
               from metric_streams s join metric_points p on p.stream_id = s.id \
               where s.name = any($1) and p.time_ns >= $2 and p.value is not null \
               order by s.id, p.time_ns desc) latest \
             group by service, name",
        )
        .bind(&names)
        .bind(since_ns)
        .fetch_all(self.pool())
        .await?)
    }
}

async fn transition(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    id: i64,
    at: DateTime<Utc>,
    from: Option<AlertState>,
    to: AlertState,
    value: Option<f64>,
    note: &str,
) -> Result<(), StorageError> {
    sqlx::query(
        "insert into alert_transitions (alert_id, at, from_state, to_state, value, note) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(at)
    .bind(from.map(AlertState::as_str))
    .bind(to.as_str())
    .bind(value)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Binds a rule's twelve settings as $1..$12, in the column order of
/// `create_alert_rule` and `update_alert_rule`.
fn bind_rule<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    spec: &'q RuleSpec,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    query
        .bind(&spec.name)
        .bind(spec.kind.as_str())
        .bind(&spec.statistic)
        .bind(&spec.services)
        .bind(spec.comparison.as_str())
        .bind(spec.threshold)
        .bind(spec.window_secs)
        .bind(spec.for_secs)
        .bind(spec.severity.as_str())
        .bind(labels_json(spec))
        .bind(&spec.runbook_url)
        .bind(spec.enabled)
}

fn labels_json(spec: &RuleSpec) -> serde_json::Value {
    serde_json::to_value(&spec.labels).unwrap_or_default()
}

fn name_taken(error: sqlx::Error) -> StorageError {
    match &error {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => {
            StorageError::NameTaken
        }
        _ => StorageError::from(error),
    }
}
