//! Notification targets, the delivery outbox and its attempts.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::FromRow;

use crate::storage::{Database, StorageError};

/// A webhook alerts are sent to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct NotificationTarget {
    pub id: i64,
    pub name: String,
    /// `alertmanager` or `json`.
    pub kind: String,
    pub url: String,
    pub repeat_secs: i32,
    pub enabled: bool,
}

/// A delivery claimed for sending.
#[derive(Debug, Clone, FromRow)]
pub struct Delivery {
    pub id: i64,
    /// The alert it is about, or (for a reminder) the silence.
    pub alert_id: Option<i64>,
    pub silence_id: Option<i64>,
    pub event: String,
    pub attempts: i32,
    pub target_name: String,
    pub target_kind: String,
    pub target_url: String,
}

pub use crate::model::alert::DeliveryRecord;

/// How long a claimed delivery is hidden from other replicas: longer than
/// one attempt (10 s timeout), so two never send it at once.
const CLAIM_SECS: f64 = 60.0;

impl Database {
    pub async fn notification_targets(&self) -> Result<Vec<NotificationTarget>, StorageError> {
        Ok(sqlx::query_as(
            "select id, name, kind, url, repeat_secs, enabled from notification_targets order by name",
        )
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn create_notification_target(
        &self,
        name: &str,
        kind: &str,
        url: &str,
        repeat_secs: i32,
    ) -> Result<NotificationTarget, StorageError> {
        sqlx::query_as(
            "insert into notification_targets (name, kind, url, repeat_secs) values ($1, $2, $3, $4) \
             returning id, name, kind, url, repeat_secs, enabled",
        )
        .bind(name)
        .bind(kind)
        .bind(url)
        .bind(repeat_secs)
        .fetch_one(self.pool())
        .await
        .map_err(|error| match &error {
            sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => {
                StorageError::NameTaken
            }
            _ => StorageError::from(error),
        })
    }

    pub async fn delete_notification_target(&self, id: i64) -> Result<bool, StorageError> {
        let done = sqlx::query("delete from notification_targets where id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Queues `event` of each alert for every enabled target, and notes
    /// when the alerts were last sent.
    pub async fn enqueue_notifications(
        &self,
        alert_ids: &[i64],
        event: &str,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool().begin().await?;
        enqueue(&mut tx, alert_ids, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Firing, unacknowledged alerts last sent longer ago than the shortest
    /// repeat interval of the enabled targets, at `now`.
    pub async fn alerts_due_for_repeat(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, StorageError> {
        Ok(sqlx::query_scalar(
            "select a.id from alerts a \
             where a.state = 'firing' and a.acknowledged_by is null and a.silenced_by is null \
               and a.last_notified_at < $1 - make_interval(secs => \
                   (select min(repeat_secs) from notification_targets where enabled))",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?)
    }

    /// Up to `limit` due deliveries, hidden from other replicas for a while.
    pub async fn claim_deliveries(&self, limit: i64) -> Result<Vec<Delivery>, StorageError> {
        Ok(sqlx::query_as(
            "with due as ( \
               select id from notifications \
               where delivered_at is null and given_up_at is null and next_attempt_at <= now() \
               order by next_attempt_at, id limit $1 for update skip locked) \
             update notifications n set next_attempt_at = now() + make_interval(secs => $2) \
             from due, notification_targets t \
             where n.id = due.id and t.id = n.target_id \
             returning n.id, n.alert_id, n.silence_id, n.event, n.attempts, t.name as target_name, \
               t.kind as target_kind, t.url as target_url",
        )
        .bind(limit)
        .bind(CLAIM_SECS)
        .fetch_all(self.pool())
        .await?)
    }

    /// Records an attempt; delivered, or retried after `retry_in`, or given
    /// up (`retry_in` None).
    pub async fn record_delivery_attempt(
        &self,
        id: i64,
        status: Option<u16>,
        error: &str,
        duration_ms: i32,
        delivered: bool,
        retry_in: Option<std::time::Duration>,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "insert into notification_attempts (notification_id, status, error, duration_ms) \
             values ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(status.map(i32::from))
        .bind(error)
        .bind(duration_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "update notifications set attempts = attempts + 1, \
               delivered_at = case when $2 then now() end, \
               given_up_at = case when not $2 and $3::float8 is null then now() end, \
               next_attempt_at = case when $3::float8 is null then next_attempt_at \
                 else now() + make_interval(secs => $3) end \
             where id = $1",
        )
        .bind(id)
        .bind(delivered)
        .bind(retry_in.map(|d| d.as_secs_f64()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An alert's deliveries, newest first, with their last attempt.
    pub async fn alert_deliveries(
        &self,
        alert_id: i64,
    ) -> Result<Vec<DeliveryRecord>, StorageError> {
        Ok(sqlx::query_as(
            "select n.id, t.name as target, n.event, n.created_at, n.attempts, n.delivered_at, \
               n.given_up_at, last.status as last_status, last.error as last_error \
             from notifications n join notification_targets t on t.id = n.target_id \
             left join lateral (select status, error from notification_attempts \
               where notification_id = n.id order by id desc limit 1) last on true \
             where n.alert_id = $1 order by n.id desc",
        )
        .bind(alert_id)
        .fetch_all(self.pool())
        .await?)
    }
}

/// Queues `event` of each alert for the enabled targets its rule names
/// (all of them when it names none), inside the transaction that made the
/// change (an outbox: the change and its notifications commit together or
/// not at all). A silenced alert is not sent; its resolution is, when its
/// firing was.
pub(crate) async fn enqueue(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    alert_ids: &[i64],
    event: &str,
) -> Result<(), StorageError> {
    if alert_ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "insert into notifications (alert_id, target_id, event) \
         select a.id, t.id, $2 from alerts a join alert_rules r on r.id = a.rule_id, \
           notification_targets t \
         where a.id = any($1) and t.enabled \
           and (cardinality(r.notify) = 0 or t.name = any(r.notify)) \
           and case when $2 = 'resolved' then a.last_notified_at is not null \
             else a.silenced_by is null end",
    )
    .bind(alert_ids)
    .bind(event)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "update alerts set last_notified_at = now() where id = any($1) and silenced_by is null",
    )
    .bind(alert_ids)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
