//! Service-map edges per minute (`edge_rollups`): written by the edge
//! derivation as it matches spans, merged by a job, read for the map and
//! Jaeger's `/api/dependencies`.

mod pending;
mod traces;

pub use pending::{PairingRound, PendingEdgeFact};

use std::collections::BTreeMap;

use sqlx::FromRow;

use crate::model::map::{EdgeFigures, NodeKind, NodeRef};
use crate::model::red::RedFigures;
use crate::model::sketch::DurationSketch;
use crate::storage::spans::minute_of;
use crate::storage::{Database, StorageError};

/// One edge in one minute, as derived or as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EdgeRollup {
    pub minute_ns: i64,
    pub caller: String,
    pub callee: String,
    pub callee_kind: i16,
    pub asynchronous: bool,
    pub calls: i64,
    pub errors: i64,
    pub client_duration_sum_ns: i64,
    pub client_durations: DurationSketch,
    pub server_calls: i64,
    pub server_duration_sum_ns: i64,
    pub server_durations: DurationSketch,
}

impl EdgeRollup {
    /// Adds another rollup of the same edge.
    pub fn absorb(&mut self, other: &EdgeRollup) {
        self.calls += other.calls;
        self.errors += other.errors;
        self.client_duration_sum_ns = self
            .client_duration_sum_ns
            .saturating_add(other.client_duration_sum_ns);
        self.client_durations.merge(&other.client_durations);
        self.server_calls += other.server_calls;
        self.server_duration_sum_ns = self
            .server_duration_sum_ns
            .saturating_add(other.server_duration_sum_ns);
        self.server_durations.merge(&other.server_durations);
    }

    fn figures(&self) -> EdgeFigures {
        let client = &self.client_durations;
        EdgeFigures {
            caller: self.caller.clone(),
            callee: NodeRef {
                name: self.callee.clone(),
                kind: NodeKind::from_i16(self.callee_kind),
            },
            asynchronous: self.asynchronous,
            client: RedFigures {
                requests: self.calls.max(0) as u64,
                errors: self.errors.max(0) as u64,
                duration_sum_ns: self.client_duration_sum_ns,
                p50_ns: client.quantile(0.50),
                p95_ns: client.quantile(0.95),
                p99_ns: client.quantile(0.99),
            },
            server_calls: self.server_calls.max(0) as u64,
            server_p95_ns: self.server_durations.quantile(0.95),
        }
    }
}

#[derive(FromRow)]
struct Row {
    minute_ns: i64,
    caller: String,
    callee: String,
    callee_kind: i16,
    asynchronous: bool,
    call_count: i64,
    error_count: i64,
    client_duration_sum_ns: i64,
    client_durations: Vec<u8>,
    server_count: i64,
    server_duration_sum_ns: i64,
    server_durations: Vec<u8>,
}

impl Row {
    /// Unreadable sketches only lose percentiles; counts stay right.
    fn into_rollup(self) -> EdgeRollup {
        let sketch = |bytes: &[u8]| DurationSketch::decode(bytes).unwrap_or_default();
        EdgeRollup {
            minute_ns: self.minute_ns,
            client_durations: sketch(&self.client_durations),
            server_durations: sketch(&self.server_durations),
            caller: self.caller,
            callee: self.callee,
            callee_kind: self.callee_kind,
            asynchronous: self.asynchronous,
            calls: self.call_count,
            errors: self.error_count,
            client_duration_sum_ns: self.client_duration_sum_ns,
            server_calls: self.server_count,
            server_duration_sum_ns: self.server_duration_sum_ns,
        }
    }
}

/// The columns, in one order for every statement (a macro, because sqlx
/// takes only literal SQL).
macro_rules! columns {
    ($prefix:literal) => {
        concat!(
            $prefix,
            "minute_ns, ",
            $prefix,
            "caller, ",
            $prefix,
            "callee, ",
            $prefix,
            "callee_kind, ",
            $prefix,
            "asynchronous, ",
            $prefix,
            "call_count, ",
            $prefix,
            "error_count, ",
            $prefix,
            "client_duration_sum_ns, ",
            $prefix,
            "client_durations, ",
            $prefix,
            "server_count, ",
            $prefix,
            "server_duration_sum_ns, ",
            $prefix,
            "server_durations"
        )
    };
}

type EdgeKey = (String, String, i16, bool);

fn key_of(rollup: &EdgeRollup) -> EdgeKey {
    (
        rollup.caller.clone(),
        rollup.callee.clone(),
        rollup.callee_kind,
        rollup.asynchronous,
    )
}

impl Database {
    /// Appends rollups (one row each).
    pub async fn write_edge_rollups(&self, rollups: &[EdgeRollup]) -> Result<(), StorageError> {
        let mut transaction = self.pool().begin().await?;
        insert(&mut transaction, rollups).await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Every edge with calls in [start, end), its minutes merged.
    pub async fn edges(
        &self,
        start_ns: i64,
        end_ns: i64,
    ) -> Result<Vec<EdgeFigures>, StorageError> {
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "select ",
            columns!(""),
            " from edge_rollups where minute_ns >= $1 and minute_ns < $2"
        ))
        .bind(minute_of(start_ns))
        .bind(end_ns)
        .fetch_all(self.pool())
        .await?;
        let mut merged: BTreeMap<EdgeKey, EdgeRollup> = BTreeMap::new();
        for rollup in rows.into_iter().map(Row::into_rollup) {
            merged
                .entry(key_of(&rollup))
                .and_modify(|edge| edge.absorb(&rollup))
                .or_insert(rollup);
        }
        Ok(merged.values().map(EdgeRollup::figures).collect())
    }

    /// Folds the rows of each (minute, edge) from `since_ns` on into one,
    /// as `merge_rollups` does for spans: `delete … returning` and the
    /// insert in one transaction, so nothing is counted twice.
    pub async fn merge_edge_rollups(&self, since_ns: i64) -> Result<usize, StorageError> {
        let mut transaction = self.pool().begin().await?;
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "delete from edge_rollups r using ( \
               select minute_ns, caller, callee, callee_kind, asynchronous from edge_rollups \
               where minute_ns >= $1 \
               group by minute_ns, caller, callee, callee_kind, asynchronous \
               having count(*) > 1) d \
             where r.minute_ns = d.minute_ns and r.caller = d.caller and r.callee = d.callee \
               and r.callee_kind = d.callee_kind and r.asynchronous = d.asynchronous \
             returning ",
            columns!("r.")
        ))
        .bind(since_ns)
        .fetch_all(&mut *transaction)
        .await?;
        let removed = rows.len();
        if removed == 0 {
            return Ok(0);
        }
        let mut merged: BTreeMap<(i64, EdgeKey), EdgeRollup> = BTreeMap::new();
        for rollup in rows.into_iter().map(Row::into_rollup) {
            merged
                .entry((rollup.minute_ns, key_of(&rollup)))
                .and_modify(|edge| edge.absorb(&rollup))
                .or_insert(rollup);
        }
        let merged: Vec<EdgeRollup> = merged.into_values().collect();
        insert(&mut transaction, &merged).await?;
        transaction.commit().await?;
        Ok(removed)
    }

    /// Drops edges of minutes before `before_ns` (retention).
    pub async fn drop_edge_rollups_before(&self, before_ns: i64) -> Result<u64, StorageError> {
        let done = sqlx::query("delete from edge_rollups where minute_ns < $1")
            .bind(before_ns)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

async fn insert(
    transaction: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    rollups: &[EdgeRollup],
) -> Result<(), StorageError> {
    if rollups.is_empty() {
        return Ok(());
    }
    let column = |f: fn(&EdgeRollup) -> i64| -> Vec<i64> { rollups.iter().map(f).collect() };
    let text = |f: fn(&EdgeRollup) -> &str| -> Vec<&str> { rollups.iter().map(f).collect() };
    sqlx::query(concat!(
        "insert into edge_rollups (",
        columns!(""),
        ") select * from unnest($1::int8[], $2::text[], $3::text[], $4::int2[], $5::bool[], \
         $6::int8[], $7::int8[], $8::int8[], $9::bytea[], $10::int8[], $11::int8[], $12::bytea[])"
    ))
    .bind(column(|r| r.minute_ns))
    .bind(text(|r| r.caller.as_str()))
    .bind(text(|r| r.callee.as_str()))
    .bind(rollups.iter().map(|r| r.callee_kind).collect::<Vec<i16>>())
    .bind(
        rollups
            .iter()
            .map(|r| r.asynchronous)
            .collect::<Vec<bool>>(),
    )
    .bind(column(|r| r.calls))
    .bind(column(|r| r.errors))
    .bind(column(|r| r.client_duration_sum_ns))
    .bind(
        rollups
            .iter()
            .map(|r| r.client_durations.to_bytes())
            .collect::<Vec<_>>(),
    )
    .bind(column(|r| r.server_calls))
    .bind(column(|r| r.server_duration_sum_ns))
    .bind(
        rollups
            .iter()
            .map(|r| r.server_durations.to_bytes())
            .collect::<Vec<_>>(),
    )
    .execute(&mut **transaction)
    .await?;
    Ok(())
}
