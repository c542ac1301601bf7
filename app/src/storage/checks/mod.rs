//! The check registry (`checks`): create, read, update, delete, pause, and
//! the scheduler's claim of due checks. Results are in `results.rs`.

mod history;
mod results;

pub use crate::model::check::Uptime;
pub use history::{LatencyBucket, UPTIME_PERIODS_HOURS, bar_slots};
pub use results::CheckOutcome;

use std::collections::HashMap;

use sqlx::FromRow;

use crate::model::check::{CheckRecord, CheckSource, CheckSpec, CheckState, ProbeResult};
use crate::storage::{Database, StorageError};

/// The columns every read of a check takes, in [`Row`]'s order.
macro_rules! check_columns {
    () => {
        "id, spec::text as spec, source, state, \
         (extract(epoch from state_since) * 1000)::int8 as state_since_ms, \
         last_result::text as last_result, \
         (extract(epoch from last_result_at) * 1000)::int8 as last_result_at_ms"
    };
}

#[derive(FromRow)]
struct Row {
    id: i64,
    spec: String,
    source: String,
    state: String,
    state_since_ms: i64,
    last_result: Option<String>,
    last_result_at_ms: Option<i64>,
}

fn corrupt(what: &'static str) -> StorageError {
    StorageError::Corrupt(crate::storage::codec::CodecError::BadJson(what))
}

impl Row {
    fn into_record(self) -> Result<CheckRecord, StorageError> {
        let spec: CheckSpec =
            serde_json::from_str(&self.spec).map_err(|_| corrupt("a stored check spec"))?;
        let last_result: Option<ProbeResult> = match self.last_result {
            Some(text) => {
                Some(serde_json::from_str(&text).map_err(|_| corrupt("a stored check result"))?)
            }
            None => None,
        };
        Ok(CheckRecord {
            id: self.id,
            spec,
            source: CheckSource::parse(&self.source),
            state: CheckState::parse(&self.state),
            state_since_ms: self.state_since_ms,
            last_result,
            last_result_at_ms: self.last_result_at_ms,
        })
    }
}

/// A check the scheduler took: run it at `due_ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedCheck {
    pub id: i64,
    pub spec: CheckSpec,
    pub due_ms: i64,
}

fn spec_json(spec: &CheckSpec) -> String {
    serde_json::to_string(spec).expect("a check spec always serialises")
}

/// A unique-name violation becomes `NameTaken`, which callers show next to
/// the name field.
fn name_conflict(error: sqlx::Error) -> StorageError {
    match &error {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => {
            StorageError::NameTaken
        }
        _ => StorageError::from(error),
    }
}

/// One checks-file sync at a time across replicas ("WatchFil").
const FILE_SYNC_LOCK: i64 = 0x5761_7463_6846_696c;

/// What a checks-file sync changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Names the file lists that a UI or API check already has; those
    /// checks are left as they are.
    pub refused: Vec<String>,
}

pub(crate) async fn insert_check<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    spec: &CheckSpec,
    source: CheckSource,
) -> Result<i64, StorageError> {
    sqlx::query_scalar(
        "insert into checks (name, service, spec, source, paused, interval_ms, next_run_at) \
         values ($1, $2, $3::jsonb, $4, $5, $6, now() + random() * make_interval(secs => $6 / 1000.0)) \
         returning id",
    )
    .bind(&spec.name)
    .bind(&spec.service)
    .bind(spec_json(spec))
    .bind(source.as_str())
    .bind(spec.paused)
    .bind(spec.interval_ms as i64)
    .fetch_one(executor)
    .await
    .map_err(name_conflict)
}

pub(crate) async fn replace_check<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    id: i64,
    spec: &CheckSpec,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "update checks set name = $2, service = $3, spec = $4::jsonb, paused = $5, \
         interval_ms = $6, next_run_at = now(), updated_at = now() where id = $1",
    )
    .bind(id)
    .bind(&spec.name)
    .bind(&spec.service)
    .bind(spec_json(spec))
    .bind(spec.paused)
    .bind(spec.interval_ms as i64)
    .execute(executor)
    .await
    .map_err(name_conflict)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn remove_check<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    id: i64,
) -> Result<bool, StorageError> {
    let done = sqlx::query("delete from checks where id = $1")
        .bind(id)
        .execute(executor)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn all_checks<'e>(
    executor: impl sqlx::PgExecutor<'e>,
) -> Result<Vec<CheckRecord>, StorageError> {
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "select ",
        check_columns!(),
        " from checks order by name"
    ))
    .fetch_all(executor)
    .await?;
    rows.into_iter().map(Row::into_record).collect()
}

impl Database {
    /// Registers a check; its first run is spread over one interval so that
    /// many checks added at once do not fire together.
    pub async fn create_check(
        &self,
        spec: &CheckSpec,
        source: CheckSource,
    ) -> Result<i64, StorageError> {
        insert_check(self.pool(), spec, source).await
    }

    /// Replaces a check's settings; it runs again now, so an edit shows
    /// within one interval. Its state and history stay. False if unknown.
    pub async fn update_check(&self, id: i64, spec: &CheckSpec) -> Result<bool, StorageError> {
        replace_check(self.pool(), id, spec).await
    }

    /// Pauses or resumes a check. False if unknown.
    pub async fn set_check_paused(&self, id: i64, paused: bool) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "update checks set paused = $2, \
             spec = jsonb_set(spec, '{paused}', to_jsonb($2::bool)), \
             next_run_at = now(), updated_at = now() where id = $1",
        )
        .bind(id)
        .bind(paused)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes a check with its events and rollups (its raw results age
    /// out with their partitions). False if unknown.
    pub async fn delete_check(&self, id: i64) -> Result<bool, StorageError> {
        remove_check(self.pool(), id).await
    }

    pub async fn check(&self, id: i64) -> Result<Option<CheckRecord>, StorageError> {
        let row: Option<Row> = sqlx::query_as(concat!(
            "select ",
            check_columns!(),
            " from checks where id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(Row::into_record).transpose()
    }

    /// Every check, by name.
    pub async fn checks(&self) -> Result<Vec<CheckRecord>, StorageError> {
        all_checks(self.pool()).await
    }

    /// Makes the file-defined checks exactly `specs`: new names are added,
    /// known ones updated, file checks no longer listed removed. A name
    /// already used by a UI or API check is left alone and reported. All
    /// in one transaction, so a failed sync changes nothing, and under a
    /// lock, so replicas loading the same file at once do not collide.
    pub async fn sync_file_checks(&self, specs: &[CheckSpec]) -> Result<SyncReport, StorageError> {
        let mut transaction = self.pool().begin().await?;
        sqlx::query("select pg_advisory_xact_lock($1)")
            .bind(FILE_SYNC_LOCK)
            .execute(&mut *transaction)
            .await?;
        let existing = all_checks(&mut *transaction).await?;
        let file_paused: HashMap<i64, Option<bool>> =
            sqlx::query_as("select id, file_paused from checks where source = 'file'")
                .fetch_all(&mut *transaction)
                .await?
                .into_iter()
                .collect();
        let mut report = SyncReport::default();
        for spec in specs {
            let Some(known) = existing.iter().find(|c| c.spec.name == spec.name) else {
                insert_check(&mut *transaction, spec, CheckSource::File).await?;
                report.added += 1;
                continue;
            };
            if known.source != CheckSource::File {
                report.refused.push(spec.name.clone());
                continue;
            }
            // The file's `paused` wins only when the file changed it; else
            // a pause or resume made by hand stands.
            let loaded_paused = file_paused.get(&known.id).copied().flatten();
            let wanted = CheckSpec {
                paused: match loaded_paused {
                    Some(before) if before == spec.paused => known.spec.paused,
                    _ => spec.paused,
                },
                ..spec.clone()
            };
            if known.spec == wanted {
                report.unchanged += 1;
            } else {
                replace_check(&mut *transaction, known.id, &wanted).await?;
                report.updated += 1;
            }
        }
        sqlx::query(
            "update checks c set file_paused = u.paused \
             from unnest($1::text[], $2::bool[]) as u(name, paused) \
             where c.name = u.name and c.source = 'file'",
        )
        .bind(specs.iter().map(|s| s.name.as_str()).collect::<Vec<_>>())
        .bind(specs.iter().map(|s| s.paused).collect::<Vec<_>>())
        .execute(&mut *transaction)
        .await?;
        for known in existing.iter().filter(|c| c.source == CheckSource::File) {
            if !specs.iter().any(|s| s.name == known.spec.name) {
                report.removed += usize::from(remove_check(&mut *transaction, known.id).await?);
            }
        }
        transaction.commit().await?;
        Ok(report)
    }

    /// Takes up to `limit` active checks due within `lookahead_ms`, and
    /// moves each one's next run a whole interval on (or to now, if it fell
    /// behind). `skip locked` lets replicas claim side by side; each due
    /// run goes to exactly one of them.
    pub async fn claim_due_checks(
        &self,
        lookahead_ms: i64,
        limit: i64,
    ) -> Result<Vec<ClaimedCheck>, StorageError> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "with due as ( \
               select id, next_run_at from checks \
               where not paused and next_run_at <= now() + make_interval(secs => $1 / 1000.0) \
               order by next_run_at limit $2 for update skip locked) \
             update checks c set next_run_at = greatest( \
                 due.next_run_at + make_interval(secs => c.interval_ms / 1000.0), now()) \
             from due where c.id = due.id \
             returning c.id, c.spec::text, (extract(epoch from due.next_run_at) * 1000)::int8",
        )
        .bind(lookahead_ms as f64)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(id, spec, due_ms)| {
                let spec =
                    serde_json::from_str(&spec).map_err(|_| corrupt("a stored check spec"))?;
                Ok(ClaimedCheck { id, spec, due_ms })
            })
            .collect()
    }
}
