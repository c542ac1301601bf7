//! The per-minute RED rollup rows a batch adds, written in the same
//! transaction as its spans (see the `span_rollups` migration).

use sqlx::{Postgres, Transaction};

use super::SpanBatch;
use crate::model::sketch::DurationSketch;
use crate::model::span::StatusCode;
use crate::storage::StorageError;

const NANOS_PER_MINUTE: i64 = 60_000_000_000;

/// The start of the minute holding `ns`, also for times before 1970.
pub fn minute_of(ns: i64) -> i64 {
    ns.div_euclid(NANOS_PER_MINUTE) * NANOS_PER_MINUTE
}

/// One (operation, minute) aggregate.
#[derive(Debug, Clone, Default)]
struct Aggregate {
    span_count: i64,
    error_count: i64,
    duration_sum_ns: i64,
    durations: DurationSketch,
}

/// Column arrays ready for one `insert … select from unnest(…)`.
#[derive(Debug, Default)]
pub struct RollupRows {
    minutes: Vec<i64>,
    operations: Vec<i32>,
    span_counts: Vec<i64>,
    error_counts: Vec<i64>,
    duration_sums: Vec<i64>,
    sketches: Vec<Vec<u8>>,
}

impl RollupRows {
    /// Aggregates a batch whose spans point at `operation_ids`, in order.
    pub(super) fn from_batch(batch: &SpanBatch, operation_ids: &[i32]) -> RollupRows {
        // Looked up once per span: the fast hasher the catalogue uses.
        let mut aggregates: std::collections::HashMap<
            (i64, i32),
            Aggregate,
            foldhash::fast::RandomState,
        > = Default::default();
        for (span, &operation) in batch.spans.iter().zip(operation_ids) {
            let aggregate = aggregates
                .entry((minute_of(span.start_ns), operation))
                .or_default();
            aggregate.span_count += 1;
            aggregate.error_count += i64::from(span.status_code == StatusCode::Error);
            aggregate.duration_sum_ns = aggregate
                .duration_sum_ns
                .saturating_add(span.duration_ns.max(0));
            aggregate.durations.record(span.duration_ns);
        }
        // Sorted keys: the rows go in a predictable order, easy to read in
        // the database and in tests.
        let mut keys: Vec<(i64, i32)> = aggregates.keys().copied().collect();
        keys.sort_unstable();
        let mut rows = RollupRows::default();
        for key in keys {
            let aggregate = &aggregates[&key];
            rows.minutes.push(key.0);
            rows.operations.push(key.1);
            rows.span_counts.push(aggregate.span_count);
            rows.error_counts.push(aggregate.error_count);
            rows.duration_sums.push(aggregate.duration_sum_ns);
            rows.sketches.push(aggregate.durations.to_bytes());
        }
        rows
    }

    pub fn is_empty(&self) -> bool {
        self.minutes.is_empty()
    }

    /// Appends the rows inside the caller's transaction.
    pub(super) async fn insert(
        &self,
        transaction: &mut Transaction<'_, Postgres>,
    ) -> Result<(), StorageError> {
        if self.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "insert into span_rollups \
             (minute_ns, operation_id, span_count, error_count, duration_sum_ns, durations) \
             select * from unnest($1::int8[], $2::int4[], $3::int8[], $4::int8[], $5::int8[], \
             $6::bytea[])",
        )
        .bind(&self.minutes)
        .bind(&self.operations)
        .bind(&self.span_counts)
        .bind(&self.error_counts)
        .bind(&self.duration_sums)
        .bind(&self.sketches)
        .execute(&mut **transaction)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_start_on_the_minute_before_and_after_the_epoch() {
        assert_eq!(minute_of(0), 0);
        assert_eq!(minute_of(NANOS_PER_MINUTE + 5), NANOS_PER_MINUTE);
        assert_eq!(minute_of(-1), -NANOS_PER_MINUTE);
    }
}
