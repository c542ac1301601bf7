//! Rates from counters: OTLP sums are cumulative (each point the total
//! since the counter's start) or delta (each point the increase since the
//! last). Alerting on "requests per second" needs the rate either way.

/// One point of a sum: when, since when it counts, and its value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SumPoint {
    pub time_ns: i64,
    pub start_ns: i64,
    pub value: f64,
}

/// Per-second rate of a cumulative counter over its points (time order),
/// across restarts (see [`increase`]). `None` with fewer than two points or
/// no time between them.
pub fn cumulative_rate(points: &[SumPoint]) -> Option<f64> {
    let (first, last) = (points.first()?, points.last()?);
    let elapsed_ns = last.time_ns - first.time_ns;
    if points.len() < 2 || elapsed_ns <= 0 {
        return None;
    }
    let increase: f64 = points
        .windows(2)
        .map(|pair| increase(pair[0], pair[1]))
        .sum();
    Some(increase / (elapsed_ns as f64 / 1e9))
}

/// How much a cumulative counter grew from `before` to `after`. A counter
/// that goes down, or whose start time moves (both known), restarted (the
/// process restarted): its new value is all increase since the restart, so
/// it counts whole rather than as a negative step.
pub fn increase(before: SumPoint, after: SumPoint) -> f64 {
    let restarted = after.value < before.value
        || (after.start_ns != 0 && before.start_ns != 0 && after.start_ns != before.start_ns);
    if restarted {
        after.value
    } else {
        after.value - before.value
    }
}

/// Per-second rate of a delta counter: the increases over the time they
/// cover (from the first point's start, or its time, to the last point).
pub fn delta_rate(points: &[SumPoint]) -> Option<f64> {
    let (first, last) = (points.first()?, points.last()?);
    let from = if first.start_ns > 0 {
        first.start_ns
    } else {
        first.time_ns
    };
    let elapsed_ns = last.time_ns - from;
    if elapsed_ns <= 0 {
        return None;
    }
    let increase: f64 = points.iter().map(|p| p.value).sum();
    Some(increase / (elapsed_ns as f64 / 1e9))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn point(seconds: i64, value: f64) -> SumPoint {
        SumPoint {
            time_ns: seconds * S,
            start_ns: S,
            value,
        }
    }

    #[test]
    fn a_steady_counter_gives_its_slope() {
        let points = [point(10, 100.0), point(20, 150.0), point(30, 200.0)];
        assert_eq!(cumulative_rate(&points), Some(5.0));
    }

    #[test]
    fn a_reset_counts_the_new_value_not_a_drop() {
        // 100 → 150 (+50), restart, 30 (+30), 60 (+30): 110 in 30 s.
        let points = [
            point(0, 100.0),
            point(10, 150.0),
            point(20, 30.0),
            point(30, 60.0),
        ];
        let rate = cumulative_rate(&points).unwrap();
        assert!((rate - 110.0 / 30.0).abs() < 1e-9, "{rate}");
        // A new start time is a restart even when the value went up.
        let mut restarted = [point(0, 10.0), point(10, 500.0)];
        restarted[1].start_ns = 9 * S;
        assert_eq!(cumulative_rate(&restarted), Some(50.0));
    }

    #[test]
    fn too_few_points_give_no_rate() {
        assert_eq!(cumulative_rate(&[point(10, 1.0)]), None);
        assert_eq!(cumulative_rate(&[]), None);
        assert_eq!(delta_rate(&[]), None);
    }

    #[test]
    fn deltas_are_summed_over_the_time_they_cover() {
        let points = [
            SumPoint {
                time_ns: 10 * S,
                start_ns: 0,
                value: 5.0,
            },
            SumPoint {
                time_ns: 20 * S,
                start_ns: 10 * S,
                value: 15.0,
            },
        ];
        assert_eq!(delta_rate(&points), Some(2.0));
    }
}
