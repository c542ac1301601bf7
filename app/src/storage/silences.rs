//! The `silences` table: what is muted, when, and the reminders before a
//! silence ends. Whether a silence is active is decided here, in SQL,
//! because maintenance windows need the time zone database Postgres has.

use chrono::{DateTime, NaiveTime, Utc};
use sqlx::FromRow;

use crate::model::silence::{Matcher, Recurrence, Silence, SilenceState};
use crate::model::silence_input::{SilenceInput, SilenceSpec};
use crate::search_form::FieldError;
use crate::storage::alerts::corrupt;
use crate::storage::{Database, StorageError};

/// Active at `$1`: started, not ended or expired, its alert (if any) still
/// open, and, for a maintenance window, inside today's or yesterday's
/// window in its time zone (a window may run past midnight).
const ACTIVE_AT: &str = "(s.expired_at is null and s.starts_at <= $1 \
     and (s.ends_at is null or s.ends_at > $1) \
     and (s.alert_id is null or exists (select 1 from alerts x \
          where x.id = s.alert_id and x.state <> 'resolved')) \
     and (s.weekdays is null or exists ( \
          select 1 from generate_series(0, 1) k, \
            lateral (select ($1 at time zone s.timezone) as local) l \
          where extract(isodow from l.local::date - k)::smallint = any(s.weekdays) \
            and l.local >= (l.local::date - k) + s.window_start \
            and l.local < (l.local::date - k) + s.window_start \
                          + make_interval(secs => s.window_secs))))";

/// Over for good at `$1`.
const EXPIRED_AT: &str = "(s.expired_at is not null \
     or (s.ends_at is not null and s.ends_at <= $1) \
     or (s.alert_id is not null and not exists (select 1 from alerts x \
          where x.id = s.alert_id and x.state <> 'resolved')))";

fn columns() -> String {
    format!(
        "s.id, s.matchers, s.starts_at, s.ends_at, s.alert_id, s.weekdays, s.window_start, \
         s.window_secs, s.timezone, s.comment, s.created_by, s.created_at, s.expired_by, \
         case when {EXPIRED_AT} then 'expired' when {ACTIVE_AT} then 'active' else 'pending' end \
           as state, \
         (select count(*) from alerts a where a.silenced_by = s.id and a.state <> 'resolved') \
           as muting"
    )
}

#[derive(FromRow)]
struct SilenceRow {
    id: i64,
    matchers: serde_json::Value,
    starts_at: DateTime<Utc>,
    ends_at: Option<DateTime<Utc>>,
    alert_id: Option<i64>,
    weekdays: Option<Vec<i16>>,
    window_start: Option<NaiveTime>,
    window_secs: Option<i32>,
    timezone: Option<String>,
    comment: String,
    created_by: String,
    created_at: DateTime<Utc>,
    expired_by: Option<String>,
    state: String,
    muting: i64,
}

impl TryFrom<SilenceRow> for Silence {
    type Error = StorageError;

    fn try_from(row: SilenceRow) -> Result<Silence, StorageError> {
        let matchers: Vec<Matcher> = serde_json::from_value(row.matchers)
            .map_err(|_| corrupt("silence matchers", "not a list of matchers"))?;
        let recurrence = match (
            row.weekdays,
            row.window_start,
            row.window_secs,
            row.timezone,
        ) {
            (Some(weekdays), Some(start), Some(duration_secs), Some(timezone)) => {
                Some(Recurrence {
                    weekdays,
                    start: start.format("%H:%M").to_string(),
                    duration_secs,
                    timezone,
                })
            }
            _ => None,
        };
        let state = match row.state.as_str() {
            "active" => SilenceState::Active,
            "pending" => SilenceState::Pending,
            _ => SilenceState::Expired,
        };
        Ok(Silence {
            id: row.id,
            matchers,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            alert_id: row.alert_id,
            recurrence,
            comment: row.comment,
            created_by: row.created_by,
            created_at: row.created_at,
            expired_by: row.expired_by,
            state,
            muting: row.muting,
        })
    }
}

fn window_start(spec: &SilenceSpec) -> Option<NaiveTime> {
    let recurrence = spec.recurrence.as_ref()?;
    NaiveTime::parse_from_str(&recurrence.start, "%H:%M").ok()
}

/// Binds a silence's nine settings as $1..$9, in the column order of
/// `create_silence` and `update_silence`.
fn bind_silence<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    spec: &'q SilenceSpec,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    let recurrence = spec.recurrence.as_ref();
    query
        .bind(serde_json::to_value(&spec.matchers).unwrap_or_default())
        .bind(spec.starts_at)
        .bind(spec.ends_at)
        .bind(spec.alert_id)
        .bind(recurrence.map(|r| r.weekdays.clone()))
        .bind(window_start(spec))
        .bind(recurrence.map(|r| r.duration_secs))
        .bind(recurrence.map(|r| r.timezone.clone()))
        .bind(&spec.comment)
}

impl Database {
    /// Silences at `now`: active ones first, then pending, then (with
    /// `include_expired`) the latest expired ones.
    pub async fn silences(
        &self,
        now: DateTime<Utc>,
        include_expired: bool,
        limit: i64,
    ) -> Result<Vec<Silence>, StorageError> {
        let rows: Vec<SilenceRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select * from (select {} from silences s) s \
             where $2 or s.state <> 'expired' \
             order by case s.state when 'active' then 0 when 'pending' then 1 else 2 end, \
               s.created_at desc, s.id desc limit $3",
            columns()
        )))
        .bind(now)
        .bind(include_expired)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(Silence::try_from).collect()
    }

    pub async fn silence(
        &self,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<Silence>, StorageError> {
        let row: Option<SilenceRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {} from silences s where s.id = $2",
            columns()
        )))
        .bind(now)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(Silence::try_from).transpose()
    }

    /// The silences muting at `now`, oldest first (the first that matches
    /// an alert is named as its silencer).
    pub async fn active_silences(&self, now: DateTime<Utc>) -> Result<Vec<Silence>, StorageError> {
        let rows: Vec<SilenceRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {} from silences s where {ACTIVE_AT} order by s.id",
            columns()
        )))
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(Silence::try_from).collect()
    }

    /// The input checked as far as the database can tell too: the time
    /// zone is known, and a "mute until resolved" alert is open (its labels
    /// become the matchers, so the silence reads well in lists). The outer
    /// error is the database's, the inner one the input's.
    pub async fn check_silence(
        &self,
        input: &SilenceInput,
        now: DateTime<Utc>,
    ) -> Result<Result<SilenceSpec, Vec<FieldError>>, StorageError> {
        let mut spec = match input.validate(now) {
            Ok(spec) => spec,
            Err(errors) => return Ok(Err(errors)),
        };
        if let Some(recurrence) = &spec.recurrence
            && !self.known_time_zone(&recurrence.timezone).await?
        {
            return Ok(Err(vec![FieldError {
                field: "recurrence.timezone".to_owned(),
                message: format!("{:?} is not a time zone name", recurrence.timezone),
            }]));
        }
        if let Some(alert_id) = spec.alert_id {
            let open = self
                .alert(alert_id)
                .await?
                .filter(|a| a.state != crate::model::alert::AlertState::Resolved);
            let Some(alert) = open else {
                return Ok(Err(vec![FieldError {
                    field: "alert_id".to_owned(),
                    message: "no such open alert".to_owned(),
                }]));
            };
            if spec.matchers.is_empty() {
                spec.matchers = vec![
                    Matcher::equal("alertname", &alert.rule),
                    Matcher::equal("service", &alert.service),
                ];
            }
        }
        Ok(Ok(spec))
    }

    /// Whether Postgres knows the time zone, as maintenance windows need.
    pub async fn known_time_zone(&self, name: &str) -> Result<bool, StorageError> {
        Ok(
            sqlx::query_scalar("select exists (select 1 from pg_timezone_names where name = $1)")
                .bind(name)
                .fetch_one(self.pool())
                .await?,
        )
    }

    pub async fn create_silence(&self, spec: &SilenceSpec, by: &str) -> Result<i64, StorageError> {
        let query = sqlx::query(
            "insert into silences (matchers, starts_at, ends_at, alert_id, weekdays, window_start, \
               window_secs, timezone, comment, created_by) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
        );
        let row = bind_silence(query, spec)
            .bind(by)
            .fetch_one(self.pool())
            .await?;
        Ok(sqlx::Row::try_get(&row, "id")?)
    }

    /// Replaces a silence that has not expired; false otherwise. A changed
    /// end gets a new reminder.
    pub async fn update_silence(&self, id: i64, spec: &SilenceSpec) -> Result<bool, StorageError> {
        let query = sqlx::query(
            "update silences set matchers = $1, starts_at = $2, \
               reminded_at = case when ends_at is distinct from $3 then null else reminded_at end, \
               ends_at = $3, alert_id = $4, weekdays = $5, window_start = $6, window_secs = $7, \
               timezone = $8, comment = $9 \
             where id = $10 and expired_at is null and (ends_at is null or ends_at > now())",
        );
        let done = bind_silence(query, spec)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends a silence now (kept for the record); false when it was over.
    pub async fn expire_silence(&self, id: i64, by: &str) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "update silences set expired_at = now(), expired_by = $2 \
             where id = $1 and expired_at is null and (ends_at is null or ends_at > now())",
        )
        .bind(id)
        .bind(by)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Silences ending within `lead` of `now` that have not been reminded
    /// about: marks them and queues a reminder for every enabled JSON
    /// target, in one transaction. Maintenance windows end by design and
    /// silences made shorter than `lead` were made knowing it: neither is
    /// reminded about.
    pub async fn remind_expiring_silences(
        &self,
        now: DateTime<Utc>,
        lead: chrono::Duration,
    ) -> Result<Vec<i64>, StorageError> {
        let mut tx = self.pool().begin().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "update silences set reminded_at = $1 \
             where expired_at is null and reminded_at is null and weekdays is null \
               and ends_at > $1 and ends_at <= $1 + $2 and created_at < ends_at - $2 \
             returning id",
        )
        .bind(now)
        .bind(lead)
        .fetch_all(&mut *tx)
        .await?;
        if !ids.is_empty() {
            sqlx::query(
                "insert into notifications (silence_id, target_id, event) \
                 select s, t.id, 'silence_expiring' from unnest($1::bigint[]) s, \
                   notification_targets t where t.enabled and t.kind = 'json'",
            )
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(ids)
    }
}
