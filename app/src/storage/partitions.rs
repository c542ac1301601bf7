//! Daily partitions of the big time-keyed tables (spans, check results,
//! metric points),
//! created on demand and ahead of time, and dropped whole for retention:
//! never a large `delete`.

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sqlx::{AssertSqlSafe, PgPool};

use crate::storage::StorageError;

const NANOS_PER_DAY: i64 = 86_400 * 1_000_000_000;

/// A table partitioned by day on a unix-nanosecond column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Partitioned {
    Spans,
    CheckResults,
    MetricPoints,
}

impl Partitioned {
    fn table(self) -> &'static str {
        match self {
            Partitioned::Spans => "spans",
            Partitioned::CheckResults => "check_results",
            Partitioned::MetricPoints => "metric_points",
        }
    }
}

/// The day (UTC) a span starting at `start_ns` belongs to.
pub fn day_of(start_ns: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_nanos(start_ns).date_naive()
}

/// `spans_20261123`
pub fn partition_name(table: Partitioned, day: NaiveDate) -> String {
    format!("{}_{}", table.table(), day.format("%Y%m%d"))
}

fn day_start_ns(day: NaiveDate) -> i64 {
    day.and_time(NaiveTime::MIN).and_utc().timestamp() * 1_000_000_000
}

/// Creates the partitions for every day among `starts` that lacks one.
/// Days already ensured by this process are skipped without a query.
pub async fn ensure_for(
    pool: &PgPool,
    table: Partitioned,
    known: &Mutex<HashSet<(Partitioned, NaiveDate)>>,
    starts: impl Iterator<Item = i64>,
) -> Result<(), StorageError> {
    let mut days: Vec<NaiveDate> = {
        let known = known.lock().expect("partition cache lock");
        starts
            .map(day_of)
            .filter(|day| !known.contains(&(table, *day)))
            .collect()
    };
    days.sort_unstable();
    days.dedup();
    for day in days {
        ensure_day(pool, table, day).await?;
        known
            .lock()
            .expect("partition cache lock")
            .insert((table, day));
    }
    Ok(())
}

/// Creates today's partition and the next `days_ahead` days'.
pub async fn ensure_ahead(
    pool: &PgPool,
    table: Partitioned,
    now: DateTime<Utc>,
    days_ahead: i64,
) -> Result<(), StorageError> {
    let today = now.date_naive();
    for offset in 0..=days_ahead {
        ensure_day(pool, table, today + Duration::days(offset)).await?;
    }
    Ok(())
}

/// Serialises partition changes across writers and replicas: two concurrent
/// `create table if not exists` can still collide inside the catalog.
const PARTITION_LOCK: i64 = 0x7761_7463_6870_0001;

async fn ensure_day(pool: &PgPool, table: Partitioned, day: NaiveDate) -> Result<(), StorageError> {
    let from = day_start_ns(day);
    let to = from + NANOS_PER_DAY;
    // The name and bounds are computed, never user input.
    let statement = format!(
        "create table if not exists {} partition of {} for values from ({from}) to ({to})",
        partition_name(table, day),
        table.table()
    );
    run_locked(pool, statement).await
}

/// Runs one partition DDL statement under the partition lock.
async fn run_locked(pool: &PgPool, statement: String) -> Result<(), StorageError> {
    let mut transaction = pool.begin().await?;
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(PARTITION_LOCK)
        .execute(&mut *transaction)
        .await?;
    sqlx::query(AssertSqlSafe(statement))
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    Ok(())
}

/// The partitions of `table` that exist, oldest first.
pub async fn list(pool: &PgPool, table: Partitioned) -> Result<Vec<NaiveDate>, StorageError> {
    let names: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_inherits i
         join pg_class c on c.oid = i.inhrelid
         join pg_class p on p.oid = i.inhparent
         where p.relname = $1",
    )
    .bind(table.table())
    .fetch_all(pool)
    .await?;
    let prefix = format!("{}_", table.table());
    let mut days: Vec<NaiveDate> = names
        .iter()
        .filter_map(|name| name.strip_prefix(prefix.as_str()))
        .filter_map(|day| NaiveDate::parse_from_str(day, "%Y%m%d").ok())
        .collect();
    days.sort_unstable();
    Ok(days)
}

/// Drops every partition that ends before `keep_from`; returns their days.
pub async fn drop_before(
    pool: &PgPool,
    table: Partitioned,
    keep_from: DateTime<Utc>,
) -> Result<Vec<NaiveDate>, StorageError> {
    let cutoff = keep_from.date_naive();
    let mut dropped = Vec::new();
    for day in list(pool, table).await? {
        if day < cutoff {
            run_locked(
                pool,
                format!("drop table if exists {}", partition_name(table, day)),
            )
            .await?;
            dropped.push(day);
        }
    }
    Ok(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_bounds_line_up() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let start = day_start_ns(day);
        assert_eq!(start, 1_795_392_000 * 1_000_000_000);
        assert_eq!(day_of(start), day);
        assert_eq!(day_of(start - 1), day.pred_opt().unwrap());
        assert_eq!(day_of(start + NANOS_PER_DAY - 1), day);
        assert_eq!(partition_name(Partitioned::Spans, day), "spans_20261123");
        assert_eq!(
            partition_name(Partitioned::CheckResults, day),
            "check_results_20261123"
        );
    }
}
