//! One metric of one service charted over a range: points folded into
//! time buckets, per group of an attribute. Gauges show their mean,
//! counters their rate per second (across resets), histograms and
//! summaries their percentiles.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::metric_rate::SumPoint;

/// A metric a service reports, for the pickers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MetricInfo {
    pub name: String,
    /// 1 gauge, 2 sum, 3 histogram, 4 exponential histogram, 5 summary.
    pub kind: i16,
    pub unit: String,
    pub description: String,
    pub temporality: i16,
    pub monotonic: bool,
    /// Attribute keys its streams carry: what it can be grouped by.
    pub attribute_keys: Vec<String>,
}

impl MetricInfo {
    pub fn kind_text(&self) -> &'static str {
        match (self.kind, self.monotonic) {
            (1, _) => "gauge",
            (2, true) => "counter",
            (2, false) => "up-down sum",
            (3, _) => "histogram",
            (4, _) => "exponential histogram",
            _ => "summary",
        }
    }
}

/// One stored point, as the chart needs it.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ChartPoint {
    pub stream_id: i64,
    /// The value of the grouping attribute ("" without one, or missing).
    pub group: String,
    pub kind: i16,
    pub temporality: i16,
    pub monotonic: bool,
    pub time_ns: i64,
    pub start_ns: i64,
    pub value: Option<f64>,
    pub bounds: Vec<f64>,
    pub bucket_counts: Vec<i64>,
    pub scale: Option<i32>,
    pub zero_count: Option<i64>,
    pub positive_offset: Option<i32>,
    pub quantiles: Vec<f64>,
    pub quantile_values: Vec<f64>,
}

/// One line of the chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartLine {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricChart {
    /// Bucket starts, unix ms.
    pub times_ms: Vec<i64>,
    pub step_ms: i64,
    /// What the lines show: "mean", "rate per second", "percentiles".
    pub shows: String,
    pub unit: String,
    pub lines: Vec<ChartLine>,
}

const PERCENTILES: [(f64, &str); 3] = [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")];

/// Folds `points` (sorted by stream, then time) into `buckets` buckets of
/// [start, end) ns. With `grouped`, one line per group (percentiles: p95
/// only); at most [`MAX_LINES`] lines, the largest.
pub fn chart(
    points: &[ChartPoint],
    (start_ns, end_ns): (i64, i64),
    buckets: usize,
    grouped: bool,
    unit: &str,
) -> MetricChart {
    let buckets = buckets.max(1);
    let step_ns = ((end_ns - start_ns) / buckets as i64).max(1);
    let times_ms = (0..buckets)
        .map(|i| (start_ns + step_ns * i as i64) / 1_000_000)
        .collect();
    let bucket_of = |time_ns: i64| -> Option<usize> {
        (time_ns >= start_ns && time_ns < end_ns)
            .then(|| usize::try_from((time_ns - start_ns) / step_ns).unwrap_or(0))
            .map(|b| b.min(buckets - 1))
    };
    let kind = points.first().map_or(1, |p| p.kind);
    let monotonic_cumulative = points
        .first()
        .is_some_and(|p| p.kind == 2 && p.monotonic && p.temporality == 2);
    let step_secs = step_ns as f64 / 1e9;
    let (shows, lines) = match kind {
        3 | 4 => (
            "percentiles",
            histogram_lines(points, buckets, &bucket_of, grouped),
        ),
        5 => (
            "quantiles",
            summary_lines(points, buckets, &bucket_of, grouped),
        ),
        2 if monotonic_cumulative || points.first().is_some_and(|p| p.temporality == 1) => (
            "rate per second",
            rate_lines(points, buckets, &bucket_of, step_secs),
        ),
        _ => ("mean", mean_lines(points, buckets, &bucket_of)),
    };
    MetricChart {
        times_ms,
        step_ms: step_ns / 1_000_000,
        shows: shows.to_owned(),
        unit: unit.to_owned(),
        lines: keep_largest(lines),
    }
}

type BucketOf<'a> = &'a dyn Fn(i64) -> Option<usize>;

fn mean_lines(points: &[ChartPoint], buckets: usize, bucket_of: BucketOf) -> Vec<ChartLine> {
    let mut sums: BTreeMap<&str, Vec<(f64, u32)>> = BTreeMap::new();
    for point in points {
        let (Some(value), Some(bucket)) = (point.value, bucket_of(point.time_ns)) else {
            continue;
        };
        let cells = sums
            .entry(&point.group)
            .or_insert_with(|| vec![(0.0, 0); buckets]);
        cells[bucket].0 += value;
        cells[bucket].1 += 1;
    }
    sums.into_iter()
        .map(|(group, cells)| ChartLine {
            name: line_name(group, "mean"),
            values: cells
                .into_iter()
                .map(|(sum, n)| (n > 0).then(|| sum / f64::from(n)))
                .collect(),
        })
        .collect()
}

/// Counters: each stream's increase between points (across restarts, by
/// the rule alerting uses: `metric_rate::increase`), summed per group and
/// bucket, per second. Delta sums add up as they are.
fn rate_lines(
    points: &[ChartPoint],
    buckets: usize,
    bucket_of: BucketOf,
    step_secs: f64,
) -> Vec<ChartLine> {
    let mut sums: BTreeMap<&str, Vec<Option<f64>>> = BTreeMap::new();
    for stream in points.chunk_by(|a, b| a.stream_id == b.stream_id) {
        let cumulative = stream[0].temporality == 2;
        let mut previous: Option<SumPoint> = None;
        for point in stream {
            let Some(value) = point.value else { continue };
            let sum = SumPoint {
                time_ns: point.time_ns,
                start_ns: point.start_ns,
                value,
            };
            let increase = match (cumulative, previous) {
                (false, _) => Some(value),
                (true, None) => None,
                (true, Some(before)) => Some(super::metric_rate::increase(before, sum)),
            };
            previous = Some(sum);
            if let (Some(increase), Some(bucket)) = (increase, bucket_of(point.time_ns)) {
                let cells = sums
                    .entry(&point.group)
                    .or_insert_with(|| vec![None; buckets]);
                *cells[bucket].get_or_insert(0.0) += increase;
            }
        }
    }
    sums.into_iter()
        .map(|(group, cells)| ChartLine {
            name: line_name(group, "rate"),
            values: cells
                .into_iter()
                .map(|v| v.map(|v| v / step_secs))
                .collect(),
        })
        .collect()
}

/// An exponential histogram's positive buckets as explicit bounds, the
/// zero bucket first: bucket i holds (bounds[i-1], bounds[i]].
fn explicit(point: &ChartPoint) -> (Vec<f64>, Vec<i64>) {
    if point.kind != 4 {
        return (point.bounds.clone(), point.bucket_counts.clone());
    }
    let base = 2f64.powf(2f64.powi(-point.scale.unwrap_or(0)));
    let offset = point.positive_offset.unwrap_or(0);
    let mut bounds = vec![0.0];
    let mut counts = vec![point.zero_count.unwrap_or(0)];
    for (i, count) in point.bucket_counts.iter().enumerate() {
        let index = offset + i32::try_from(i).unwrap_or(0);
        bounds.push(base.powi(index + 1));
        counts.push(*count);
    }
    // The overflow bucket explicit histograms have, empty here.
    counts.push(0);
    (bounds, counts)
}

/// Histograms: each stream's new observations per bucket (cumulative
/// points differenced, across restarts), merged per group and time bucket,
/// read as percentiles by interpolating within the bucket bounds.
fn histogram_lines(
    points: &[ChartPoint],
    buckets: usize,
    bucket_of: BucketOf,
    grouped: bool,
) -> Vec<ChartLine> {
    type Cell = Option<(Vec<f64>, Vec<i64>)>;
    let mut merged: BTreeMap<&str, Vec<Cell>> = BTreeMap::new();
    for stream in points.chunk_by(|a, b| a.stream_id == b.stream_id) {
        let mut previous: Option<(&ChartPoint, Vec<f64>, Vec<i64>)> = None;
        for point in stream {
            let (bounds, counts) = explicit(point);
            let fresh = match &previous {
                _ if point.temporality != 2 => Some(counts.clone()),
                None => None,
                Some((before, before_bounds, before_counts)) => {
                    let restarted = point.start_ns != before.start_ns
                        || *before_bounds != bounds
                        || counts.iter().zip(before_counts).any(|(now, was)| now < was);
                    Some(if restarted {
                        counts.clone()
                    } else {
                        counts
                            .iter()
                            .zip(before_counts)
                            .map(|(n, w)| n - w)
                            .collect()
                    })
                }
            };
            if let (Some(fresh), Some(bucket)) = (fresh, bucket_of(point.time_ns)) {
                let cells = merged
                    .entry(&point.group)
                    .or_insert_with(|| vec![None; buckets]);
                match &mut cells[bucket] {
                    None => cells[bucket] = Some((bounds.clone(), fresh)),
                    // Different layouts cannot be added; the first one wins.
                    Some((cell_bounds, cell_counts)) if *cell_bounds == bounds => {
                        for (total, add) in cell_counts.iter_mut().zip(&fresh) {
                            *total += add;
                        }
                    }
                    Some(_) => {}
                }
            }
            previous = Some((point, bounds, counts));
        }
    }
    let wanted: Vec<(f64, &str)> = if grouped {
        vec![PERCENTILES[1]]
    } else {
        PERCENTILES.to_vec()
    };
    let mut lines = Vec::new();
    for (group, cells) in merged {
        for (q, label) in &wanted {
            lines.push(ChartLine {
                name: line_name(group, label),
                values: cells
                    .iter()
                    .map(|cell| cell.as_ref().and_then(|(b, c)| quantile(*q, b, c)))
                    .collect(),
            });
        }
    }
    lines
}

/// The `q` quantile of a histogram, as Prometheus' `histogram_quantile`:
/// linear within the bucket it falls in; the overflow bucket answers its
/// lower bound. None without observations.
pub fn quantile(q: f64, bounds: &[f64], counts: &[i64]) -> Option<f64> {
    let total: i64 = counts.iter().sum();
    if total <= 0 {
        return None;
    }
    let rank = q * total as f64;
    let mut seen = 0i64;
    for (i, count) in counts.iter().enumerate() {
        let below = seen as f64;
        seen += count;
        if (seen as f64) >= rank && *count > 0 {
            let Some(upper) = bounds.get(i) else {
                return bounds.last().copied();
            };
            let lower = if i == 0 {
                0f64.min(*upper)
            } else {
                bounds[i - 1]
            };
            let within = (rank - below) / *count as f64;
            return Some(lower + (upper - lower) * within.clamp(0.0, 1.0));
        }
    }
    bounds.last().copied()
}

/// Summaries carry their quantiles: their mean per bucket.
fn summary_lines(
    points: &[ChartPoint],
    buckets: usize,
    bucket_of: BucketOf,
    grouped: bool,
) -> Vec<ChartLine> {
    let mut sums: BTreeMap<(String, String), Vec<(f64, u32)>> = BTreeMap::new();
    for point in points {
        let Some(bucket) = bucket_of(point.time_ns) else {
            continue;
        };
        for (q, value) in point.quantiles.iter().zip(&point.quantile_values) {
            let shown = if grouped {
                (*q - 0.95).abs() < 1e-9
            } else {
                PERCENTILES.iter().any(|(p, _)| (p - q).abs() < 1e-9)
            };
            if !shown {
                continue;
            }
            let label = format!("p{}", (q * 100.0).round());
            let cells = sums
                .entry((point.group.clone(), label))
                .or_insert_with(|| vec![(0.0, 0); buckets]);
            cells[bucket].0 += value;
            cells[bucket].1 += 1;
        }
    }
    sums.into_iter()
        .map(|((group, label), cells)| ChartLine {
            name: line_name(&group, &label),
            values: cells
                .into_iter()
                .map(|(sum, n)| (n > 0).then(|| sum / f64::from(n)))
                .collect(),
        })
        .collect()
}

/// A line is named by its group; percentiles add which one.
fn line_name(group: &str, what: &str) -> String {
    match (group, what) {
        ("", what) => what.to_owned(),
        (group, "mean" | "rate") => group.to_owned(),
        (group, what) => format!("{group} {what}"),
    }
}

/// Lines shown at most: the largest, so a chart stays readable.
pub const MAX_LINES: usize = 12;

fn keep_largest(mut lines: Vec<ChartLine>) -> Vec<ChartLine> {
    if lines.len() > MAX_LINES {
        let total = |line: &ChartLine| line.values.iter().flatten().sum::<f64>();
        lines.sort_by(|a, b| total(b).total_cmp(&total(a)));
        lines.truncate(MAX_LINES);
    }
    lines
}

#[cfg(test)]
#[path = "metric_chart_tests.rs"]
mod tests;
