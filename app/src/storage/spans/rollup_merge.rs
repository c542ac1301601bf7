//! Merging rollup rows: writers append one row per (operation, minute) per
//! batch; this folds the rows of each key into one so reads stay cheap.

use std::collections::BTreeMap;

use sqlx::FromRow;

use crate::model::sketch::DurationSketch;
use crate::storage::{Database, StorageError};

#[derive(FromRow)]
struct Row {
    minute_ns: i64,
    operation_id: i32,
    span_count: i64,
    error_count: i64,
    duration_sum_ns: i64,
    durations: Vec<u8>,
}

#[derive(Default)]
struct Merged {
    span_count: i64,
    error_count: i64,
    duration_sum_ns: i64,
    durations: DurationSketch,
}

impl Database {
    /// Merges every key from `since_ns` on that has more than one row.
    /// Returns the rows removed. The delete and the insert of the merged
    /// rows are one transaction, and `delete … returning` takes exactly the
    /// rows it merges, so rows written meanwhile, or merged by another
    /// replica, are never counted twice.
    pub async fn merge_rollups(&self, since_ns: i64) -> Result<usize, StorageError> {
        let mut transaction = self.pool().begin().await?;
        let rows: Vec<Row> = sqlx::query_as(
            "delete from span_rollups r using ( \
               select minute_ns, operation_id from span_rollups where minute_ns >= $1 \
               group by minute_ns, operation_id having count(*) > 1) d \
             where r.minute_ns = d.minute_ns and r.operation_id = d.operation_id \
             returning r.minute_ns, r.operation_id, r.span_count, r.error_count, \
               r.duration_sum_ns, r.durations",
        )
        .bind(since_ns)
        .fetch_all(&mut *transaction)
        .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut merged: BTreeMap<(i64, i32), Merged> = BTreeMap::new();
        for row in &rows {
            let entry = merged.entry((row.minute_ns, row.operation_id)).or_default();
            entry.span_count += row.span_count;
            entry.error_count += row.error_count;
            entry.duration_sum_ns = entry.duration_sum_ns.saturating_add(row.duration_sum_ns);
            if let Ok(sketch) = DurationSketch::decode(&row.durations) {
                entry.durations.merge(&sketch);
            }
        }
        let mut columns = (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        for ((minute, operation), entry) in merged {
            columns.0.push(minute);
            columns.1.push(operation);
            columns.2.push(entry.span_count);
            columns.3.push(entry.error_count);
            columns.4.push(entry.duration_sum_ns);
            columns.5.push(entry.durations.to_bytes());
        }
        sqlx::query(
            "insert into span_rollups \
             (minute_ns, operation_id, span_count, error_count, duration_sum_ns, durations) \
             select * from unnest($1::int8[], $2::int4[], $3::int8[], $4::int8[], $5::int8[], \
             $6::bytea[])",
        )
        .bind(&columns.0)
        .bind(&columns.1)
        .bind(&columns.2)
        .bind(&columns.3)
        .bind(&columns.4)
        .bind(&columns.5)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(rows.len())
    }

    /// Drops rollups of minutes before `before_ns` (retention).
    pub async fn drop_rollups_before(&self, before_ns: i64) -> Result<u64, StorageError> {
        let done = sqlx::query("delete from span_rollups where minute_ns < $1")
            .bind(before_ns)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
