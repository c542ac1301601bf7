//! RED figures from the per-minute rollups: never from raw spans, so pages
//! cost the same however many spans are stored.

use std::collections::{BTreeMap, HashMap};

use sqlx::FromRow;

use crate::model::red::{OperationRed, RedFigures, RedPoint, ServiceRed, is_entry_kind};
use crate::model::sketch::DurationSketch;
use crate::model::span::SpanKind;
use crate::storage::spans::minute_of;
use crate::storage::{Database, StorageError};

const NANOS_PER_MS: i64 = 1_000_000;

/// Counts and a latency sketch, merged from any number of rollup rows.
#[derive(Debug, Clone, Default)]
struct Accumulator {
    requests: u64,
    errors: u64,
    duration_sum_ns: i64,
    durations: DurationSketch,
}

impl Accumulator {
    fn add(&mut self, row: &RollupRow) {
        self.requests += row.span_count.max(0) as u64;
        self.errors += row.error_count.max(0) as u64;
        self.duration_sum_ns = self.duration_sum_ns.saturating_add(row.duration_sum_ns);
        // A sketch that cannot be read only loses its percentiles; the
        // counts are still right.
        if let Ok(sketch) = DurationSketch::decode(&row.durations) {
            self.durations.merge(&sketch);
        }
    }

    fn figures(&self) -> RedFigures {
        RedFigures {
            requests: self.requests,
            errors: self.errors,
            duration_sum_ns: self.duration_sum_ns,
            p50_ns: self.durations.quantile(0.50),
            p95_ns: self.durations.quantile(0.95),
            p99_ns: self.durations.quantile(0.99),
        }
    }
}

#[derive(FromRow)]
struct RollupRow {
    service: String,
    operation: String,
    kind: i16,
    minute_ns: i64,
    span_count: i64,
    error_count: i64,
    duration_sum_ns: i64,
    durations: Vec<u8>,
}

impl RollupRow {
    fn kind(&self) -> SpanKind {
        SpanKind::from_i32(i32::from(self.kind))
    }
}

/// Whole minutes overlapping [start, end): rollups have minute resolution.
fn minute_bounds(start_ns: i64, end_ns: i64) -> (i64, i64) {
    (minute_of(start_ns), end_ns)
}

/// The rows a service counts as its requests: entry spans (server,
/// consumer) when it has any, otherwise all of its spans, so a batch job
/// with only internal spans still shows its activity.
fn requests_of<'a>(rows: &[&'a RollupRow]) -> Vec<&'a RollupRow> {
    let entries: Vec<&RollupRow> = rows
        .iter()
        .copied()
        .filter(|r| is_entry_kind(r.kind()))
        .collect();
    if entries.is_empty() {
        rows.to_vec()
    } else {
        entries
    }
}

impl Database {
    async fn rollup_rows(
        &self,
        start_ns: i64,
        end_ns: i64,
        service: Option<&str>,
    ) -> Result<Vec<RollupRow>, StorageError> {
        let (from, to) = minute_bounds(start_ns, end_ns);
        let rows = sqlx::query_as(
            "select sv.name as service, o.name as operation, o.kind, r.minute_ns, r.span_count, \
             r.error_count, r.duration_sum_ns, r.durations \
             from span_rollups r join operations o on o.id = r.operation_id \
             join services sv on sv.id = o.service_id \
             where r.minute_ns >= $1 and r.minute_ns < $2 and ($3::text is null or sv.name = $3)",
        )
        .bind(from)
        .bind(to)
        .bind(service)
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    /// Every service with spans in [start, end): its figures, a request
    /// count per bucket (`buckets` of them) and when it was last seen.
    pub async fn service_red(
        &self,
        start_ns: i64,
        end_ns: i64,
        buckets: usize,
    ) -> Result<Vec<ServiceRed>, StorageError> {
        let rows = self.rollup_rows(start_ns, end_ns, None).await?;
        let mut by_service: BTreeMap<&str, Vec<&RollupRow>> = BTreeMap::new();
        for row in &rows {
            by_service.entry(&row.service).or_default().push(row);
        }
        let last_seen = self.services_last_seen().await?;
        let buckets = buckets.max(1);
        let bucket_ns = ((end_ns - minute_of(start_ns)) / buckets as i64).max(1);
        Ok(by_service
            .into_iter()
            .map(|(service, rows)| {
                let requests = requests_of(&rows);
                let mut total = Accumulator::default();
                let mut per_bucket = vec![0u64; buckets];
                for row in &requests {
                    total.add(row);
                    let bucket = ((row.minute_ns - minute_of(start_ns)) / bucket_ns)
                        .clamp(0, buckets as i64 - 1);
                    per_bucket[bucket as usize] += row.span_count.max(0) as u64;
                }
                ServiceRed {
                    name: service.to_owned(),
                    figures: total.figures(),
                    requests_per_bucket: per_bucket,
                    last_seen_ms: last_seen.get(service).copied().unwrap_or(0),
                }
            })
            .collect())
    }

    /// A service's figures per time bucket of `step_ns`, oldest first, with
    /// empty buckets included so charts show gaps honestly.
    pub async fn service_red_series(
        &self,
        service: &str,
        start_ns: i64,
        end_ns: i64,
        step_ns: i64,
    ) -> Result<Vec<RedPoint>, StorageError> {
        let rows = self.rollup_rows(start_ns, end_ns, Some(service)).await?;
        let rows: Vec<&RollupRow> = rows.iter().collect();
        let step_ns = step_ns.max(60_000_000_000);
        let first = minute_of(start_ns).div_euclid(step_ns) * step_ns;
        let mut buckets: BTreeMap<i64, Accumulator> = BTreeMap::new();
        let mut bucket = first;
        while bucket < end_ns {
            buckets.insert(bucket, Accumulator::default());
            bucket += step_ns;
        }
        for row in requests_of(&rows) {
            let key = row.minute_ns.div_euclid(step_ns) * step_ns;
            buckets.entry(key).or_default().add(row);
        }
        Ok(buckets
            .into_iter()
            .map(|(start, accumulator)| RedPoint {
                start_ms: start / NANOS_PER_MS,
                figures: accumulator.figures(),
            })
            .collect())
    }

    /// Each operation of a service (name and kind) with its figures, and the
    /// service's own total (its requests, as on the Services page).
    pub async fn operation_red(
        &self,
        service: &str,
        start_ns: i64,
        end_ns: i64,
    ) -> Result<(RedFigures, Vec<OperationRed>), StorageError> {
        let rows = self.rollup_rows(start_ns, end_ns, Some(service)).await?;
        let all: Vec<&RollupRow> = rows.iter().collect();
        let mut total = Accumulator::default();
        for row in requests_of(&all) {
            total.add(row);
        }
        let mut by_operation: HashMap<(&str, i16), Accumulator> = HashMap::new();
        for row in &rows {
            by_operation
                .entry((&row.operation, row.kind))
                .or_default()
                .add(row);
        }
        let mut operations: Vec<OperationRed> = by_operation
            .into_iter()
            .map(|((name, kind), accumulator)| OperationRed {
                name: name.to_owned(),
                kind: SpanKind::from_i32(i32::from(kind)),
                figures: accumulator.figures(),
            })
            .collect();
        operations.sort_by(|a, b| {
            b.figures
                .requests
                .cmp(&a.figures.requests)
                .then_with(|| a.name.cmp(&b.name))
        });
        Ok((total.figures(), operations))
    }

    async fn services_last_seen(&self) -> Result<HashMap<String, i64>, StorageError> {
        let rows: Vec<(String, chrono::DateTime<chrono::Utc>)> =
            sqlx::query_as("select name, last_seen from services")
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .into_iter()
            .map(|(name, seen)| (name, seen.timestamp_millis()))
            .collect())
    }
}
