//! An OTLP metrics export request → the streams and points to store, and
//! what was rejected (partial success). Every OTLP metric type is kept
//! whole: gauges and sums as values, histograms with their buckets,
//! exponential histograms with scale and both bucket ranges, summaries
//! with their quantiles.

use app::model::attributes::{Attribute, AttributeValue};
use app::storage::metrics::{MetricBatch, MetricKind, MetricPoint, MetricStream};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::{
    ExponentialHistogramDataPoint, HistogramDataPoint, Metric, NumberDataPoint, SummaryDataPoint,
    metric, number_data_point,
};
use serde_json::{Map, Value};

use crate::ingest::convert::{IngestLimits, content_id, convert_attributes};

/// The storable part of a request, and what was rejected or cut.
#[derive(Debug, Default)]
pub struct ConvertedMetrics {
    pub batch: MetricBatch,
    pub rejected_points: u64,
    /// The first reason a point was rejected, for the partial-success message.
    pub first_rejection: Option<String>,
    pub truncated_values: u64,
}

impl ConvertedMetrics {
    fn reject(&mut self, points: u64, why: impl FnOnce() -> String) {
        self.rejected_points += points;
        if self.first_rejection.is_none() && points > 0 {
            self.first_rejection = Some(why());
        }
    }
}

/// Where a point came from: the parts of its stream that are not its own.
struct Origin<'a> {
    service: &'a str,
    resource: &'a Value,
    metric: &'a Metric,
    kind: MetricKind,
    temporality: i32,
    monotonic: bool,
}

pub fn convert(
    request: ExportMetricsServiceRequest,
    limits: &IngestLimits,
    now_ns: i64,
) -> ConvertedMetrics {
    let mut out = ConvertedMetrics::default();
    let oldest_ns = now_ns.saturating_sub(nanos(limits.retention));
    let newest_ns = now_ns.saturating_add(nanos(limits.max_future));
    for resource_metrics in request.resource_metrics {
        let resource = resource_metrics.resource.unwrap_or_default();
        let attributes = convert_attributes(resource.attributes, limits, &mut out.truncated_values);
        let service = attributes
            .iter()
            .find(|a| a.key == "service.name")
            .and_then(|a| match &a.value {
                AttributeValue::String(name) if !name.is_empty() => Some(name.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "unknown_service".to_owned());
        let others: Vec<Attribute> = attributes
            .into_iter()
            .filter(|a| a.key != "service.name")
            .collect();
        let resource = to_json(&others);
        for scope_metrics in resource_metrics.scope_metrics {
            for metric in scope_metrics.metrics {
                convert_metric(
                    &service,
                    &resource,
                    metric,
                    limits,
                    (oldest_ns, newest_ns),
                    &mut out,
                );
            }
        }
    }
    out.batch.streams.sort_by_key(|s| s.id);
    out.batch.streams.dedup_by_key(|s| s.id);
    out
}

fn nanos(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX)
}

fn convert_metric(
    service: &str,
    resource: &Value,
    mut metric: Metric,
    limits: &IngestLimits,
    window: (i64, i64),
    out: &mut ConvertedMetrics,
) {
    let Some(data) = metric.data.take() else {
        // No data points to count; nothing is lost by skipping it.
        return;
    };
    let (kind, temporality, monotonic) = match &data {
        metric::Data::Gauge(_) => (MetricKind::Gauge, 0, false),
        metric::Data::Sum(sum) => (
            MetricKind::Sum,
            sum.aggregation_temporality,
            sum.is_monotonic,
        ),
        metric::Data::Histogram(h) => (MetricKind::Histogram, h.aggregation_temporality, false),
        metric::Data::ExponentialHistogram(h) => (
            MetricKind::ExponentialHistogram,
            h.aggregation_temporality,
            false,
        ),
        metric::Data::Summary(_) => (MetricKind::Summary, 0, false),
    };
    let origin = Origin {
        service,
        resource,
        metric: &metric,
        kind,
        temporality,
        monotonic,
    };
    let name = metric.name.clone();
    let points = match data {
        metric::Data::Gauge(g) => collect(g.data_points, &origin, limits, window, out, number),
        metric::Data::Sum(s) => collect(s.data_points, &origin, limits, window, out, number),
        metric::Data::Histogram(h) => {
            collect(h.data_points, &origin, limits, window, out, histogram)
        }
        metric::Data::ExponentialHistogram(h) => {
            collect(h.data_points, &origin, limits, window, out, exponential)
        }
        metric::Data::Summary(s) => collect(s.data_points, &origin, limits, window, out, summary),
    };
    if name.is_empty() {
        out.reject(points.len() as u64, || "a metric has no name".to_owned());
        return;
    }
    out.batch.points.extend(points);
}

/// What every OTLP data point has.
trait DataPoint {
    fn attributes(&mut self) -> Vec<KeyValue>;
    fn times(&self) -> (u64, u64);
    fn flags(&self) -> u32;
}

macro_rules! data_point {
    ($($point:ty),*) => {$(
        impl DataPoint for $point {
            fn attributes(&mut self) -> Vec<KeyValue> {
                std::mem::take(&mut self.attributes)
            }
            fn times(&self) -> (u64, u64) {
                (self.start_time_unix_nano, self.time_unix_nano)
            }
            fn flags(&self) -> u32 {
                self.flags
            }
        }
    )*};
}

data_point!(
    NumberDataPoint,
    HistogramDataPoint,
    ExponentialHistogramDataPoint,
    SummaryDataPoint
);

/// Converts each point with `fill` (its kind's own fields), after the
/// checks every point gets; rejected points are counted in `out`.
fn collect<P: DataPoint>(
    points: Vec<P>,
    origin: &Origin<'_>,
    limits: &IngestLimits,
    (oldest_ns, newest_ns): (i64, i64),
    out: &mut ConvertedMetrics,
    fill: fn(P, &mut MetricPoint) -> Result<(), String>,
) -> Vec<MetricPoint> {
    let mut stored = Vec::with_capacity(points.len());
    for mut point in points {
        let name = &origin.metric.name;
        let (start, time) = point.times();
        let time_ns = i64::try_from(time).unwrap_or(i64::MAX);
        if time == 0 || time_ns < oldest_ns || time_ns > newest_ns {
            out.reject(1, || {
                format!(
                    "metric {name:?}: a point's time is missing or outside the retention window"
                )
            });
            continue;
        }
        let raw = point.attributes();
        if raw.len() > limits.max_attributes_per_span {
            out.reject(1, || {
                format!(
                    "metric {name:?}: a point has more than {} attributes",
                    limits.max_attributes_per_span
                )
            });
            continue;
        }
        let attributes = to_json(&convert_attributes(raw, limits, &mut out.truncated_values));
        let stream = stream(origin, attributes, time_ns);
        let mut row = MetricPoint {
            stream_id: stream.id,
            time_ns,
            start_ns: i64::try_from(start).unwrap_or(0),
            flags: i32::try_from(point.flags()).unwrap_or(0),
            ..MetricPoint::default()
        };
        if let Err(why) = fill(point, &mut row) {
            out.reject(1, || format!("metric {name:?}: {why}"));
            continue;
        }
        out.batch.streams.push(stream);
        stored.push(row);
    }
    stored
}

fn stream(origin: &Origin<'_>, attributes: Value, time_ns: i64) -> MetricStream {
    let metric = origin.metric;
    let attributes_text = attributes.to_string();
    let resource_text = origin.resource.to_string();
    let id = content_id(&[
        origin.service.as_bytes(),
        metric.name.as_bytes(),
        &[origin.kind as u8, u8::from(origin.monotonic)],
        &origin.temporality.to_le_bytes(),
        metric.unit.as_bytes(),
        attributes_text.as_bytes(),
        resource_text.as_bytes(),
    ]);
    MetricStream {
        id,
        service: origin.service.to_owned(),
        name: metric.name.clone(),
        kind: origin.kind,
        unit: metric.unit.clone(),
        description: metric.description.clone(),
        temporality: i16::try_from(origin.temporality).unwrap_or(0),
        monotonic: origin.monotonic,
        attributes,
        resource: origin.resource.clone(),
        first_seen_ns: time_ns,
    }
}

/// OTLP's "no recorded value" flag: the point marks a gap, with no value.
const NO_RECORDED_VALUE: u32 = 1;

fn number(point: NumberDataPoint, row: &mut MetricPoint) -> Result<(), String> {
    row.value = match point.value {
        Some(number_data_point::Value::AsDouble(v)) => Some(v),
        Some(number_data_point::Value::AsInt(v)) => Some(v as f64),
        None if point.flags & NO_RECORDED_VALUE != 0 => None,
        None => return Err("a point has no value".to_owned()),
    };
    Ok(())
}

fn counts(values: Vec<u64>) -> Vec<i64> {
    values
        .into_iter()
        .map(|c| i64::try_from(c).unwrap_or(i64::MAX))
        .collect()
}

fn count(value: u64) -> Option<i64> {
    Some(i64::try_from(value).unwrap_or(i64::MAX))
}

fn histogram(point: HistogramDataPoint, row: &mut MetricPoint) -> Result<(), String> {
    let buckets = point.bucket_counts.len();
    if buckets > 0 && buckets != point.explicit_bounds.len() + 1 {
        return Err(format!(
            "a histogram has {buckets} bucket counts for {} bounds (want bounds + 1)",
            point.explicit_bounds.len()
        ));
    }
    // `partial_cmp` so a NaN bound counts as out of order too.
    let increasing = |w: &[f64]| w[0].partial_cmp(&w[1]) == Some(std::cmp::Ordering::Less);
    if !point.explicit_bounds.windows(2).all(increasing) {
        return Err("a histogram's bounds are not strictly increasing".to_owned());
    }
    row.count = count(point.count);
    row.sum = point.sum;
    row.min = point.min;
    row.max = point.max;
    row.bounds = Some(point.explicit_bounds);
    row.bucket_counts = Some(counts(point.bucket_counts));
    Ok(())
}

fn exponential(point: ExponentialHistogramDataPoint, row: &mut MetricPoint) -> Result<(), String> {
    if !(-10..=20).contains(&point.scale) {
        return Err(format!(
            "an exponential histogram's scale {} is out of range",
            point.scale
        ));
    }
    let positive = point.positive.unwrap_or_default();
    let negative = point.negative.unwrap_or_default();
    row.count = count(point.count);
    row.sum = point.sum;
    row.min = point.min;
    row.max = point.max;
    row.scale = Some(point.scale);
    row.zero_count = count(point.zero_count);
    row.positive_offset = Some(positive.offset);
    row.bucket_counts = Some(counts(positive.bucket_counts));
    row.negative_offset = Some(negative.offset);
    row.negative_counts = Some(counts(negative.bucket_counts));
    Ok(())
}

fn summary(point: SummaryDataPoint, row: &mut MetricPoint) -> Result<(), String> {
    if point
        .quantile_values
        .iter()
        .any(|q| !(0.0..=1.0).contains(&q.quantile))
    {
        return Err("a summary quantile is outside 0..1".to_owned());
    }
    row.count = count(point.count);
    row.sum = Some(point.sum);
    row.quantiles = Some(point.quantile_values.iter().map(|q| q.quantile).collect());
    row.quantile_values = Some(point.quantile_values.iter().map(|q| q.value).collect());
    Ok(())
}

/// Attributes as a JSON object with sorted keys (serde_json's map is
/// ordered), so equal attribute sets serialise, and hash, the same.
fn to_json(attributes: &[Attribute]) -> Value {
    Value::Object(
        attributes
            .iter()
            .map(|a| (a.key.clone(), value_json(&a.value)))
            .collect::<Map<String, Value>>(),
    )
}

fn value_json(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::Empty => Value::Null,
        AttributeValue::String(s) => Value::String(s.clone()),
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::Int(i) => Value::from(*i),
        // NaN and infinities have no JSON form: null.
        AttributeValue::Double(d) => {
            serde_json::Number::from_f64(*d).map_or(Value::Null, Value::Number)
        }
        AttributeValue::Bytes(bytes) => {
            Value::String(bytes.iter().map(|b| format!("{b:02x}")).collect())
        }
        AttributeValue::Array(values) => Value::Array(values.iter().map(value_json).collect()),
        AttributeValue::KvList(list) => to_json(list),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use opentelemetry_proto::tonic::common::v1::AnyValue;
    use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
    use opentelemetry_proto::tonic::metrics::v1::{Gauge, ResourceMetrics, ScopeMetrics};

    use super::*;

    const NOW: i64 = 1_800_000_000_000_000_000;

    fn limits() -> IngestLimits {
        IngestLimits {
            max_attributes_per_span: 4,
            max_attribute_value_length: 64,
            retention: Duration::from_secs(86_400),
            max_future: Duration::from_secs(3_600),
        }
    }

    fn kv(key: &str, value: &str) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: Some(AnyValue {
                value: Some(Any::StringValue(value.into())),
            }),
            ..Default::default()
        }
    }

    fn gauge(points: Vec<NumberDataPoint>, resource: Vec<KeyValue>) -> ExportMetricsServiceRequest {
        ExportMetricsServiceRequest {
            resource_metrics: vec![ResourceMetrics {
                resource: Some(opentelemetry_proto::tonic::resource::v1::Resource {
                    attributes: resource,
                    ..Default::default()
                }),
                scope_metrics: vec![ScopeMetrics {
                    metrics: vec![Metric {
                        name: "queue.depth".into(),
                        data: Some(metric::Data::Gauge(Gauge {
                            data_points: points,
                        })),
                        ..Default::default()
                    }],
                    ..Default::default()
                }],
                ..Default::default()
            }],
        }
    }

    fn point(attributes: Vec<KeyValue>, value: Option<f64>, flags: u32) -> NumberDataPoint {
        NumberDataPoint {
            attributes,
            time_unix_nano: NOW as u64,
            value: value.map(number_data_point::Value::AsDouble),
            flags,
            ..Default::default()
        }
    }

    #[test]
    fn attribute_order_does_not_make_a_new_stream() {
        let a = point(vec![kv("a", "1"), kv("b", "2")], Some(1.0), 0);
        let b = point(vec![kv("b", "2"), kv("a", "1")], Some(2.0), 0);
        let out = convert(gauge(vec![a, b], vec![]), &limits(), NOW);
        assert_eq!(out.batch.points.len(), 2);
        assert_eq!(out.batch.points[0].stream_id, out.batch.points[1].stream_id);
        assert_eq!(out.batch.streams.len(), 1);
        assert_eq!(out.batch.streams[0].service, "unknown_service");
    }

    #[test]
    fn gaps_are_kept_and_points_without_value_time_or_room_are_refused() {
        let gap = point(vec![], None, NO_RECORDED_VALUE);
        let no_value = point(vec![], None, 0);
        let mut no_time = point(vec![], Some(1.0), 0);
        no_time.time_unix_nano = 0;
        let mut ancient = point(vec![], Some(1.0), 0);
        ancient.time_unix_nano = (NOW - 2 * 86_400_000_000_000) as u64;
        let crowded = point(
            (0..5).map(|i| kv(&format!("k{i}"), "v")).collect(),
            Some(1.0),
            0,
        );
        let request = gauge(
            vec![gap, no_value, no_time, ancient, crowded],
            vec![kv("service.name", "q")],
        );
        let out = convert(request, &limits(), NOW);
        assert_eq!(out.batch.points.len(), 1);
        assert_eq!(out.batch.points[0].value, None);
        assert_eq!(out.batch.points[0].flags, 1);
        assert_eq!(out.rejected_points, 4);
        assert!(out.first_rejection.unwrap().contains("queue.depth"));
    }

    #[test]
    fn histogram_bounds_must_increase_and_fit_the_buckets() {
        let good = HistogramDataPoint {
            explicit_bounds: vec![1.0, 2.0],
            bucket_counts: vec![1, 1, 1],
            ..Default::default()
        };
        assert!(histogram(good.clone(), &mut MetricPoint::default()).is_ok());
        let nan = HistogramDataPoint {
            explicit_bounds: vec![1.0, f64::NAN],
            ..good.clone()
        };
        assert!(histogram(nan, &mut MetricPoint::default()).is_err());
        let short = HistogramDataPoint {
            bucket_counts: vec![1, 1],
            ..good
        };
        assert!(histogram(short, &mut MetricPoint::default()).is_err());
    }
}
