use super::*;

const MIN: i64 = 60_000_000_000;

fn point(stream_id: i64, group: &str, minute: i64, value: f64) -> ChartPoint {
    ChartPoint {
        stream_id,
        group: group.into(),
        kind: 1,
        time_ns: minute * MIN + 1,
        value: Some(value),
        ..ChartPoint::default()
    }
}

#[test]
fn gauges_show_their_mean_per_group() {
    let points = [
        point(1, "pod-a", 0, 10.0),
        point(1, "pod-a", 0, 20.0),
        point(2, "pod-b", 1, 5.0),
    ];
    let chart = chart(&points, (0, 2 * MIN), 2, true, "By");
    assert_eq!(chart.shows, "mean");
    assert_eq!(chart.times_ms, [0, 60_000]);
    assert_eq!(chart.lines[0].name, "pod-a");
    assert_eq!(chart.lines[0].values, [Some(15.0), None]);
    assert_eq!(chart.lines[1].values, [None, Some(5.0)]);
}

#[test]
fn counters_show_their_rate_across_a_restart() {
    let counter = |minute, value, start_ns| ChartPoint {
        kind: 2,
        temporality: 2,
        monotonic: true,
        start_ns,
        ..point(1, "", minute, value)
    };
    let points = [
        counter(0, 100.0, 0),
        counter(1, 160.0, 0),
        // Restarted: counts from zero again, with a new start.
        counter(2, 30.0, 5),
    ];
    let chart = chart(&points, (0, 3 * MIN), 3, false, "1");
    assert_eq!(chart.shows, "rate per second");
    assert_eq!(chart.lines[0].values, [None, Some(1.0), Some(0.5)]);
}

#[test]
fn cumulative_histograms_are_differenced_and_read_as_percentiles() {
    let histogram = |minute, counts: Vec<i64>| ChartPoint {
        kind: 3,
        temporality: 2,
        bounds: vec![0.1, 0.5, 1.0],
        bucket_counts: counts,
        ..point(1, "", minute, 0.0)
    };
    let points = [
        histogram(0, vec![10, 0, 0, 0]),
        // Since the last point: 10 more, all between 0.5 and 1.0.
        histogram(1, vec![10, 0, 10, 0]),
    ];
    let chart = chart(&points, (0, 2 * MIN), 2, false, "s");
    let p50 = &chart.lines[0];
    assert_eq!(p50.name, "p50");
    assert_eq!(
        p50.values[0], None,
        "the first point has nothing to compare"
    );
    assert_eq!(p50.values[1], Some(0.75));
}

#[test]
fn quantiles_interpolate_within_buckets() {
    let bounds = [1.0, 2.0];
    assert_eq!(quantile(0.5, &bounds, &[0, 10, 0]), Some(1.5));
    assert_eq!(quantile(0.25, &bounds, &[10, 10, 0]), Some(0.5));
    // In the overflow bucket: its lower bound is all there is to say.
    assert_eq!(quantile(0.99, &bounds, &[0, 0, 5]), Some(2.0));
    assert_eq!(quantile(0.5, &bounds, &[0, 0, 0]), None);
}

#[test]
fn exponential_buckets_become_explicit_bounds() {
    let exponential = ChartPoint {
        kind: 4,
        scale: Some(0),
        zero_count: Some(2),
        positive_offset: Some(0),
        bucket_counts: vec![3, 4],
        ..ChartPoint::default()
    };
    let (bounds, counts) = explicit(&exponential);
    assert_eq!(bounds, [0.0, 2.0, 4.0]);
    assert_eq!(counts, [2, 3, 4, 0]);
}

#[test]
fn summaries_show_their_quantiles() {
    let summary = ChartPoint {
        kind: 5,
        quantiles: vec![0.5, 0.95, 0.999],
        quantile_values: vec![0.1, 0.4, 0.9],
        ..point(1, "", 0, 0.0)
    };
    let chart = chart(&[summary], (0, MIN), 1, false, "s");
    let names: Vec<&str> = chart.lines.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["p50", "p95"]);
    assert_eq!(chart.lines[1].values, [Some(0.4)]);
}
