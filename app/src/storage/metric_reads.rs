//! Reads for the Metrics page: which services report metrics, what each
//! reports, and one metric's points over a range.

use crate::model::metric_chart::{ChartPoint, MetricInfo};
use crate::storage::{Database, StorageError};

/// Points read for one chart at most; beyond that the range is too long
/// for the metric's resolution and the chart says so.
pub const MAX_CHART_POINTS: i64 = 200_000;

impl Database {
    /// Services that have sent metrics, by name.
    pub async fn metric_services(&self) -> Result<Vec<String>, StorageError> {
        Ok(
            sqlx::query_scalar("select distinct service from metric_streams order by service")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// The metrics `service` reports, with the attribute keys (its points'
    /// and its resource's) each can be grouped by.
    pub async fn service_metrics(&self, service: &str) -> Result<Vec<MetricInfo>, StorageError> {
        Ok(sqlx::query_as(
            "select s.name, min(s.kind) as kind, min(s.unit) as unit, \
               max(s.description) as description, min(s.temporality) as temporality, \
               bool_and(s.monotonic) as monotonic, \
               array(select distinct k from metric_streams s2, \
                   lateral (select jsonb_object_keys(s2.attributes) \
                            union select jsonb_object_keys(s2.resource)) keys(k) \
                 where s2.service = s.service and s2.name = s.name order by k) as attribute_keys \
             from metric_streams s where s.service = $1 \
             group by s.service, s.name order by s.name",
        )
        .bind(service)
        .fetch_all(self.pool())
        .await?)
    }

    /// The points of one metric of one service in [start, end), by stream
    /// and time, each labelled with its value of `group_by` (a point
    /// attribute or a resource attribute; "" without one).
    pub async fn chart_points(
        &self,
        service: &str,
        name: &str,
        group_by: &str,
        (start_ns, end_ns): (i64, i64),
    ) -> Result<Vec<ChartPoint>, StorageError> {
        Ok(sqlx::query_as(
            "select s.id as stream_id, \
               coalesce(s.attributes ->> $3, s.resource ->> $3, '') as \"group\", \
               s.kind, s.temporality, s.monotonic, p.time_ns, p.start_ns, p.value, \
               coalesce(p.bounds, '{}') as bounds, coalesce(p.bucket_counts, '{}') as bucket_counts, \
               p.scale, p.zero_count, p.positive_offset, \
               coalesce(p.quantiles, '{}') as quantiles, \
               coalesce(p.quantile_values, '{}') as quantile_values \
             from metric_streams s join metric_points p on p.stream_id = s.id \
             where s.service = $1 and s.name = $2 and p.time_ns >= $4 and p.time_ns < $5 \
             order by s.id, p.time_ns limit $6",
        )
        .bind(service)
        .bind(name)
        .bind(group_by)
        .bind(start_ns)
        .bind(end_ns)
        .bind(MAX_CHART_POINTS)
        .fetch_all(self.pool())
        .await?)
    }
}
