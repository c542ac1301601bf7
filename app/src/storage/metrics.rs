//! OTLP metrics: streams (interned by a content hash the server computes)
//! and their points, written in one transaction so an export is either
//! stored whole or not at all.

use serde_json::Value;
use sqlx::FromRow;
use sqlx::{Postgres, QueryBuilder};

use crate::storage::partitions::{self, Partitioned};
use crate::storage::{Database, StorageError};

/// The kind of a metric, as stored (`metric_streams.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricKind {
    Gauge = 1,
    Sum = 2,
    Histogram = 3,
    ExponentialHistogram = 4,
    Summary = 5,
}

/// One stream: a metric of a service with one set of attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricStream {
    pub id: i64,
    pub service: String,
    pub name: String,
    pub kind: MetricKind,
    pub unit: String,
    pub description: String,
    pub temporality: i16,
    pub monotonic: bool,
    pub attributes: Value,
    pub resource: Value,
    pub first_seen_ns: i64,
}

/// One point of a stream; which fields are set depends on the kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricPoint {
    pub stream_id: i64,
    pub time_ns: i64,
    pub start_ns: i64,
    pub value: Option<f64>,
    pub count: Option<i64>,
    pub sum: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub bounds: Option<Vec<f64>>,
    pub bucket_counts: Option<Vec<i64>>,
    pub scale: Option<i32>,
    pub zero_count: Option<i64>,
    pub positive_offset: Option<i32>,
    pub negative_offset: Option<i32>,
    pub negative_counts: Option<Vec<i64>>,
    pub quantiles: Option<Vec<f64>>,
    pub quantile_values: Option<Vec<f64>>,
    pub flags: i32,
}

/// What one export request stores.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricBatch {
    pub streams: Vec<MetricStream>,
    pub points: Vec<MetricPoint>,
}

/// Points per INSERT: 18 parameters each, under PostgreSQL's 65,535.
const POINTS_PER_STATEMENT: usize = 2_000;

impl Database {
    /// Stores the batch's new streams and all its points, all or nothing.
    pub async fn write_metrics(&self, batch: &MetricBatch) -> Result<(), StorageError> {
        if batch.points.is_empty() {
            return Ok(());
        }
        let known = &self.catalogue().metric_streams;
        partitions::ensure_for(
            self.pool(),
            Partitioned::MetricPoints,
            &self.catalogue().partitions,
            batch.points.iter().map(|p| p.time_ns),
        )
        .await?;
        let new_streams: Vec<&MetricStream> = {
            let known = known.lock().expect("metric stream cache lock");
            batch
                .streams
                .iter()
                .filter(|s| !known.contains(&s.id))
                .collect()
        };
        let mut transaction = self.pool().begin().await?;
        if !new_streams.is_empty() {
            let mut insert: QueryBuilder<Postgres> = QueryBuilder::new(
                "insert into metric_streams (id, service, name, kind, unit, description, \
                 temporality, monotonic, attributes, resource, first_seen_ns) ",
            );
            insert.push_values(&new_streams, |mut row, s| {
                row.push_bind(s.id)
                    .push_bind(&s.service)
                    .push_bind(&s.name)
                    .push_bind(s.kind as i16)
                    .push_bind(&s.unit)
                    .push_bind(&s.description)
                    .push_bind(s.temporality)
                    .push_bind(s.monotonic)
                    .push_bind(&s.attributes)
                    .push_bind(&s.resource)
                    .push_bind(s.first_seen_ns);
            });
            insert.push(" on conflict (id) do nothing");
            insert.build().execute(&mut *transaction).await?;
        }
        for chunk in batch.points.chunks(POINTS_PER_STATEMENT) {
            let mut insert: QueryBuilder<Postgres> = QueryBuilder::new(
                "insert into metric_points (stream_id, time_ns, start_ns, value, count, sum, \
                 min, max, bounds, bucket_counts, scale, zero_count, positive_offset, \
                 negative_offset, negative_counts, quantiles, quantile_values, flags) ",
            );
            insert.push_values(chunk, |mut row, p| {
                row.push_bind(p.stream_id)
                    .push_bind(p.time_ns)
                    .push_bind(p.start_ns)
                    .push_bind(p.value)
                    .push_bind(p.count)
                    .push_bind(p.sum)
                    .push_bind(p.min)
                    .push_bind(p.max)
                    .push_bind(&p.bounds)
                    .push_bind(&p.bucket_counts)
                    .push_bind(p.scale)
                    .push_bind(p.zero_count)
                    .push_bind(p.positive_offset)
                    .push_bind(p.negative_offset)
                    .push_bind(&p.negative_counts)
                    .push_bind(&p.quantiles)
                    .push_bind(&p.quantile_values)
                    .push_bind(p.flags);
            });
            insert.build().execute(&mut *transaction).await?;
        }
        transaction.commit().await?;
        known
            .lock()
            .expect("metric stream cache lock")
            .extend(new_streams.iter().map(|s| s.id));
        Ok(())
    }
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

/// Reads the alert evaluator makes.
impl Database {
    /// Every valued point of metric `name` in [start, end] (unix ns), by
    /// stream and time, with what the evaluator needs to turn sums into
    /// rates.
    pub async fn metric_points_between(
        &self,
        name: &str,
        (start_ns, end_ns): (i64, i64),
    ) -> Result<Vec<WindowPoint>, StorageError> {
        Ok(sqlx::query_as(
            "select s.service, s.id as stream_id, s.kind, s.temporality, s.monotonic, \
               p.time_ns, p.start_ns, p.value \
             from metric_streams s join metric_points p on p.stream_id = s.id \
             where s.name = $1 and p.time_ns between $2 and $3 and p.value is not null \
             order by s.id, p.time_ns",
        )
        .bind(name)
        .bind(start_ns)
        .bind(end_ns)
        .fetch_all(self.pool())
        .await?)
    }

    /// The latest value in [start, end] of any of `names`, per service:
    /// the largest across the service's streams (a fleet of instances is
    /// as full as its fullest). Gauges and sums only.
    pub async fn latest_metric_values(
        &self,
        names: &[&str],
        (start_ns, end_ns): (i64, i64),
    ) -> Result<Vec<(String, String, f64)>, StorageError> {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        Ok(sqlx::query_as(
            "select service, name, max(value) from ( \
               select distinct on (s.id) s.service, s.name, p.value \
               from metric_streams s join metric_points p on p.stream_id = s.id \
               where s.name = any($1) and p.time_ns between $2 and $3 and p.value is not null \
               order by s.id, p.time_ns desc) latest \
             group by service, name",
        )
        .bind(&names)
        .bind(start_ns)
        .bind(end_ns)
        .fetch_all(self.pool())
        .await?)
    }

    /// Memory utilisation where a limit is known: for each (usage, limit)
    /// name pair, each instance (same service and resource) sums its
    /// latest usage over the attribute sets that also report a limit (JVM
    /// pools, say) and divides by their limits. Per service and pair, the
    /// fullest instance: `(service, pair index, utilisation)`.
    pub async fn memory_utilization_from_limits(
        &self,
        pairs: &[(&str, &str)],
        (start_ns, end_ns): (i64, i64),
    ) -> Result<Vec<(String, i32, f64)>, StorageError> {
        let (usage, limit): (Vec<String>, Vec<String>) = pairs
            .iter()
            .map(|(u, l)| ((*u).to_owned(), (*l).to_owned()))
            .unzip();
        let names: Vec<String> = usage.iter().chain(&limit).cloned().collect();
        Ok(sqlx::query_as(
            "with latest as ( \
               select distinct on (s.id) s.service, s.name, s.resource, s.attributes, p.value \
               from metric_streams s join metric_points p on p.stream_id = s.id \
               where s.name = any($3) and p.time_ns between $4 and $5 and p.value is not null \
               order by s.id, p.time_ns desc), \
             pair as (select usage, cap, (ordinality - 1)::int as rank \
               from unnest($1::text[], $2::text[]) with ordinality as t(usage, cap, ordinality)), \
             instances as ( \
               select u.service, pair.rank, sum(u.value) / sum(l.value) as utilization \
               from pair \
               join latest u on u.name = pair.usage \
               join latest l on l.name = pair.cap and l.service = u.service \
                 and l.resource = u.resource and l.attributes = u.attributes \
               where l.value > 0 \
               group by u.service, u.resource, pair.rank) \
             select service, rank, max(utilization) from instances group by service, rank",
        )
        .bind(&usage)
        .bind(&limit)
        .bind(&names)
        .bind(start_ns)
        .bind(end_ns)
        .fetch_all(self.pool())
        .await?)
    }
}
