//! Alert instances and their transitions; the rules are in [`rules`].

mod causes;
mod rules;

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::model::alert::{Alert, AlertState, RuleKind, Severity};
use crate::storage::notifications::enqueue;
use crate::storage::{Database, StorageError};

/// A stored value the code does not know: the table's checks were changed.
pub(crate) fn corrupt(what: &str, value: &str) -> StorageError {
    StorageError::Query(sqlx::Error::Decode(
        format!("alert {what} {value:?} is unknown").into(),
    ))
}

/// An alert not yet resolved, as the evaluator needs it.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct OpenAlert {
    pub id: i64,
    pub fingerprint: String,
    pub state: String,
    pub pending_since: DateTime<Utc>,
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
    labels: serde_json::Value,
    silenced_by: Option<i64>,
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
            rule_labels: serde_json::from_value(row.labels)
                .map_err(|_| corrupt("labels", "not an object of strings"))?,
            silenced_by: row.silenced_by,
            impacted_by: Vec::new(),
        })
    }
}

const ALERT_COLUMNS: &str = "a.id, a.rule_id, r.name as rule, r.kind, r.threshold, r.severity, a.service, a.state, \
     a.value, a.pending_since, a.firing_since, a.resolved_at, a.resolved_by, a.acknowledged_by, \
     a.acknowledged_at, a.ack_comment, r.runbook_url, r.labels, a.silenced_by";

impl Database {
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
    /// `silenced` names, by fingerprint, the silence muting each open
    /// alert now; muted alerts are not sent.
    pub async fn apply_alert_changes(
        &self,
        changes: &[AlertChange],
        silenced: &[(String, i64)],
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
        mark_silenced(&mut tx, silenced).await?;
        enqueue(&mut tx, &fired, "firing").await?;
        enqueue(&mut tx, &resolved, "resolved").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Firing alerts never sent, and not muted: their silence ended while
    /// they fired, so they are announced now.
    pub async fn firing_unannounced(&self) -> Result<Vec<i64>, StorageError> {
        Ok(sqlx::query_scalar(
            "select id from alerts where state = 'firing' and silenced_by is null \
               and last_notified_at is null",
        )
        .fetch_all(self.pool())
        .await?)
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

    /// Every transition of an alert, oldest first.
    pub async fn alert_transitions(
        &self,
        id: i64,
    ) -> Result<Vec<crate::model::alert::AlertTransition>, StorageError> {
        Ok(sqlx::query_as(
            "select at, from_state, to_state, value, note from alert_transitions \
             where alert_id = $1 order by at, id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?)
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
}

/// Sets each open alert's `silenced_by`, touching only those that change.
async fn mark_silenced(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    silenced: &[(String, i64)],
) -> Result<(), StorageError> {
    let (fingerprints, silences): (Vec<&str>, Vec<i64>) =
        silenced.iter().map(|(f, s)| (f.as_str(), *s)).unzip();
    sqlx::query(
        "with muted as (select f, s from unnest($1::text[], $2::bigint[]) t(f, s)), \
         wanted as (select a.id, muted.s from alerts a left join muted on muted.f = a.fingerprint \
           where a.state <> 'resolved') \
         update alerts a set silenced_by = wanted.s from wanted \
         where a.id = wanted.id and a.silenced_by is distinct from wanted.s",
    )
    .bind(fingerprints)
    .bind(silences)
    .execute(&mut **tx)
    .await?;
    Ok(())
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
