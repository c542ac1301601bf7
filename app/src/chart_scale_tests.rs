use super::*;

/// 2024-01-01T00:00Z, a Monday.
const NEW_YEAR_2024_MS: i64 = 1_704_067_200_000;

fn labels(ticks: &[(i64, String)]) -> Vec<&str> {
    ticks.iter().map(|(_, label)| label.as_str()).collect()
}

#[test]
fn nice_ticks_on_round_ranges() {
    assert_eq!(
        nice_ticks(0.0, 100.0, 5),
        [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    );
    assert_eq!(nice_ticks(0.0, 1.0, 5), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
    assert_eq!(nice_ticks(0.1, 0.4, 3), [0.1, 0.2, 0.3, 0.4]);
}

#[test]
fn nice_ticks_extend_to_cover_the_range() {
    assert_eq!(nice_ticks(0.3, 0.9, 3), [0.2, 0.4, 0.6, 0.8, 1.0]);
    assert_eq!(
        nice_ticks(-7.0, 13.0, 4),
        [-10.0, -5.0, 0.0, 5.0, 10.0, 15.0]
    );
    assert_eq!(
        nice_ticks(1_234.0, 5_678.0, 4),
        [0.0, 2_000.0, 4_000.0, 6_000.0]
    );
    assert_eq!(
        nice_ticks(1_234.0, 5_678.0, 5),
        [1_000.0, 2_000.0, 3_000.0, 4_000.0, 5_000.0, 6_000.0]
    );
}

#[test]
fn nice_ticks_zero_is_positive_zero() {
    let ticks = nice_ticks(-1.0, 1.0, 2);
    assert_eq!(ticks, [-1.0, 0.0, 1.0]);
    assert!(ticks[1].is_sign_positive());
}

#[test]
fn nice_ticks_widen_flat_ranges() {
    assert_eq!(nice_ticks(0.0, 0.0, 5), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
    assert_eq!(nice_ticks(5.0, 5.0, 5), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(nice_ticks(-3.0, -3.0, 5), [-3.0, -2.0, -1.0, 0.0]);
}

#[test]
fn nice_ticks_tolerate_odd_input() {
    let unit = nice_ticks(0.0, 1.0, 5);
    assert_eq!(nice_ticks(f64::NAN, f64::NAN, 5), unit);
    assert_eq!(nice_ticks(f64::INFINITY, f64::NEG_INFINITY, 5), unit);
    assert_eq!(nice_ticks(f64::NAN, 10.0, 5), nice_ticks(0.0, 10.0, 5));
    assert_eq!(nice_ticks(100.0, 0.0, 5), nice_ticks(0.0, 100.0, 5));
    assert_eq!(nice_ticks(0.0, 100.0, 0), [0.0, 100.0]);
    assert_eq!(nice_ticks(f64::MIN, f64::MAX, 5), [f64::MIN, f64::MAX]);
    assert!(nice_ticks(0.0, 1.0, usize::MAX).len() <= MAX_TICKS + 2);
    assert!(nice_ticks(1e17, 1e17 + 64.0, 5).len() <= 7);
    assert!(nice_ticks(1.0, 1.0 + 1e-12, 5).len() <= 7);
}

#[test]
fn nice_ticks_count_stays_near_target() {
    for (min, max) in [(0.0, 1.0), (3.7, 91.2), (-0.004, 0.013), (1e6, 3.3e9)] {
        for target in 1..=12 {
            let ticks = nice_ticks(min, max, target);
            assert!(
                ticks.len() <= target + 2,
                "{min}..{max} / {target}: {ticks:?}"
            );
            assert!(ticks[0] <= min && *ticks.last().unwrap() >= max);
        }
    }
}

#[test]
fn time_ticks_align_minutes_to_the_step() {
    let from = NEW_YEAR_2024_MS + 7 * MINUTE_MS;
    let ticks = time_ticks(from, from + HOUR_MS, 6);
    assert_eq!(
        labels(&ticks),
        ["00:10", "00:20", "00:30", "00:40", "00:50", "01:00"]
    );
    assert_eq!(ticks[0].0, NEW_YEAR_2024_MS + 10 * MINUTE_MS);
}

#[test]
fn time_ticks_use_quarter_and_three_hour_steps() {
    let ticks = time_ticks(NEW_YEAR_2024_MS, NEW_YEAR_2024_MS + 90 * MINUTE_MS, 6);
    assert_eq!(
        labels(&ticks),
        [
            "00:00", "00:15", "00:30", "00:45", "01:00", "01:15", "01:30"
        ]
    );
    let day = time_ticks(NEW_YEAR_2024_MS + 1, NEW_YEAR_2024_MS + DAY_MS, 8);
    assert_eq!(
        labels(&day),
        [
            "03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00", "00:00"
        ]
    );
}

#[test]
fn time_ticks_label_days_with_weekday_and_date() {
    let week = time_ticks(NEW_YEAR_2024_MS - 1, NEW_YEAR_2024_MS + 6 * DAY_MS, 7);
    assert_eq!(
        labels(&week),
        [
            "Mon 1", "Tue 2", "Wed 3", "Thu 4", "Fri 5", "Sat 6", "Sun 7"
        ]
    );
    let around_epoch = time_ticks(-3 * DAY_MS, 0, 3);
    assert_eq!(
        labels(&around_epoch),
        ["Mon 29", "Tue 30", "Wed 31", "Thu 1"]
    );
}

#[test]
fn time_ticks_for_long_ranges_use_whole_days() {
    let ticks = time_ticks(NEW_YEAR_2024_MS, NEW_YEAR_2024_MS + 90 * DAY_MS, 6);
    assert!((5..=7).contains(&ticks.len()), "{ticks:?}");
    let gaps: Vec<i64> = ticks.windows(2).map(|w| w[1].0 - w[0].0).collect();
    assert!(gaps.iter().all(|&gap| gap == 15 * DAY_MS));
    assert!(ticks.iter().all(|(t, _)| t % (15 * DAY_MS) == 0));
}

#[test]
fn time_ticks_degenerate_ranges() {
    let forward = time_ticks(NEW_YEAR_2024_MS, NEW_YEAR_2024_MS + HOUR_MS, 4);
    assert_eq!(
        time_ticks(NEW_YEAR_2024_MS + HOUR_MS, NEW_YEAR_2024_MS, 4),
        forward
    );
    assert_eq!(
        labels(&time_ticks(NEW_YEAR_2024_MS, NEW_YEAR_2024_MS, 5)),
        ["00:00"]
    );
    assert!(time_ticks(NEW_YEAR_2024_MS + 1, NEW_YEAR_2024_MS + 2, 5).is_empty());
    assert_eq!(
        time_ticks(NEW_YEAR_2024_MS, NEW_YEAR_2024_MS + HOUR_MS, 0).len(),
        2
    );
    assert!(time_ticks(i64::MIN, i64::MAX, 10).len() <= 11);
    assert!(time_ticks(i64::MAX - 1, i64::MAX, 10).len() <= 1);
    assert!(time_ticks(0, DAY_MS, usize::MAX).len() <= MAX_TICKS + 1);
}

#[test]
fn utc_dates_match_the_calendar() {
    assert_eq!(utc_date(0), (1970, 1, 1));
    assert_eq!(utc_date(-1), (1969, 12, 31));
    assert_eq!(utc_date(19_723), (2024, 1, 1));
    assert_eq!(utc_date(11_016), (2000, 2, 29));
    assert_eq!(utc_date(19_783), (2024, 3, 1));
    assert_eq!(utc_date(-25_508), (1900, 3, 1));
    assert_eq!(utc_date(-135_081), (1600, 2, 29));
    assert_eq!(utc_date(157_419), (2400, 12, 31));
    assert_eq!(weekday_name(157_419), "Sun");
    assert_eq!(weekday_name(-25_508), "Thu");
    let _ = utc_date(i64::MAX / DAY_MS);
    let _ = utc_date(i64::MIN / DAY_MS);
}

#[test]
fn linear_scale_maps_and_inverts() {
    let x = LinearScale::new((0.0, 100.0), (0.0, 500.0));
    assert_eq!(x.map(50.0), 250.0);
    assert_eq!(x.map(-10.0), -50.0);
    assert_eq!(x.invert(250.0), 50.0);
    let y = LinearScale::new((0.0, 100.0), (300.0, 0.0));
    assert_eq!(y.map(25.0), 225.0);
    assert_eq!(y.invert(225.0), 25.0);
}

#[test]
fn linear_scale_degenerate_domains() {
    let flat = LinearScale::new((5.0, 5.0), (0.0, 500.0));
    assert_eq!(flat.map(5.0), 250.0);
    assert_eq!(flat.map(1e9), 250.0);
    assert_eq!(flat.invert(100.0), 5.0);
    let nan = LinearScale::new((f64::NAN, 1.0), (0.0, 10.0));
    assert_eq!(nan.map(0.5), 5.0);
    let collapsed = LinearScale::new((0.0, 10.0), (40.0, 40.0));
    assert_eq!(collapsed.invert(40.0), 5.0);
    assert!(
        LinearScale::new((0.0, 1.0), (0.0, 1.0))
            .map(f64::NAN)
            .is_nan()
    );
    let huge = LinearScale::new((1.0, 1.0), (f64::MAX, f64::MAX));
    assert_eq!(huge.map(1.0), f64::MAX);
}

#[test]
fn line_path_draws_and_rounds() {
    assert_eq!(line_path(&[]), "");
    let points = [Some((1.0, 2.0)), Some((3.25, 4.04)), Some((10.0, -0.04))];
    assert_eq!(line_path(&points), "M 1.0 2.0 L 3.3 4.0 L 10.0 0.0");
}

#[test]
fn line_path_breaks_at_gaps() {
    let points = [
        None,
        Some((0.0, 0.0)),
        Some((1.0, 1.0)),
        None,
        None,
        Some((3.0, 3.0)),
        Some((f64::NAN, 4.0)),
        Some((5.0, 5.0)),
        Some((6.0, f64::INFINITY)),
    ];
    assert_eq!(
        line_path(&points),
        "M 0.0 0.0 L 1.0 1.0 M 3.0 3.0 M 5.0 5.0"
    );
    assert_eq!(line_path(&[None, None]), "");
}

#[test]
fn durations_in_each_unit() {
    assert_eq!(format_duration_ns(850.0), "850ns");
    assert_eq!(format_duration_ns(1.5), "1.50ns");
    assert_eq!(format_duration_ns(12_345.0), "12.3µs");
    assert_eq!(format_duration_ns(1_250_000.0), "1.25ms");
    assert_eq!(format_duration_ns(2.1e9), "2.10s");
    assert_eq!(format_duration_ns(185e9), "3m05s");
    assert_eq!(format_duration_ns(7_500e9), "2h05m");
    assert_eq!(format_duration_ns(76.0 * 3_600e9), "3d04h");
}

#[test]
fn durations_round_up_into_the_next_unit() {
    assert_eq!(format_duration_ns(999.6), "1.00µs");
    assert_eq!(format_duration_ns(999_999.0), "1.00ms");
    assert_eq!(format_duration_ns(59.94e9), "59.9s");
    assert_eq!(format_duration_ns(59.96e9), "1m00s");
    assert_eq!(format_duration_ns(3_599.6e9), "1h00m");
}

#[test]
fn durations_odd_input() {
    assert_eq!(format_duration_ns(0.0), "0ns");
    assert_eq!(format_duration_ns(-0.0), "0ns");
    assert_eq!(format_duration_ns(-1_250_000.0), "-1.25ms");
    assert_eq!(format_duration_ns(f64::NAN), "—");
    assert_eq!(format_duration_ns(f64::INFINITY), "∞");
    assert_eq!(format_duration_ns(f64::NEG_INFINITY), "-∞");
    assert!(format_duration_ns(f64::MAX).ends_with('h'));
    assert_eq!(format_duration_ns(f64::MIN_POSITIVE), "0.000000ns");
}

#[test]
fn rates() {
    assert_eq!(format_rate(0.0), "0");
    assert_eq!(format_rate(0.02), "0.02/s");
    assert_eq!(format_rate(0.0234), "0.0234/s");
    assert_eq!(format_rate(0.001), "0.001/s");
    assert_eq!(format_rate(12.34), "12.3/s");
    assert_eq!(format_rate(100.0), "100/s");
    assert_eq!(format_rate(1_200.0), "1.2k/s");
    assert_eq!(format_rate(1_234.0), "1.23k/s");
    assert_eq!(format_rate(999.6), "1k/s");
    assert_eq!(format_rate(2.5e6), "2.5M/s");
    assert_eq!(format_rate(7e9), "7G/s");
    assert_eq!(format_rate(3e12), "3T/s");
}

#[test]
fn rates_odd_input() {
    assert_eq!(format_rate(0.0005), "<0.001/s");
    assert_eq!(format_rate(-0.0005), ">-0.001/s");
    assert_eq!(format_rate(-3.0), "-3/s");
    assert_eq!(format_rate(f64::NAN), "—");
    assert_eq!(format_rate(f64::INFINITY), "∞/s");
    assert!(format_rate(f64::MAX).ends_with("T/s"));
}

#[test]
fn percents() {
    assert_eq!(format_percent(0.0523), "5.23%");
    assert_eq!(format_percent(0.0), "0%");
    assert_eq!(format_percent(0.5), "50%");
    assert_eq!(format_percent(0.052), "5.2%");
    assert_eq!(format_percent(0.123456), "12.35%");
    assert_eq!(format_percent(1.0), "100%");
    assert_eq!(format_percent(1.5), "150%");
    assert_eq!(format_percent(0.00011), "0.01%");
}

#[test]
fn percents_never_round_to_0_or_100() {
    assert_eq!(format_percent(0.00009), "<0.01%");
    assert_eq!(format_percent(1e-300), "<0.01%");
    assert_eq!(format_percent(0.99999), ">99.99%");
    assert_eq!(format_percent(0.9999), "99.99%");
}

#[test]
fn percents_odd_input() {
    assert_eq!(format_percent(-0.05), "-5%");
    assert_eq!(format_percent(-0.000001), ">-0.01%");
    assert_eq!(format_percent(f64::NAN), "—");
    assert_eq!(format_percent(f64::INFINITY), "∞%");
    assert_eq!(format_percent(-0.0), "0%");
}

#[test]
fn significant_figure_helpers() {
    assert_eq!(round_significant(12_345.0, 3), 12_300.0);
    assert_eq!(round_significant(0.0, 3), 0.0);
    assert!(round_significant(f64::NAN, 3).is_nan());
    assert_eq!(significant_figures(9.996, 3), "10.0");
    assert_eq!(significant_figures(2.1, 3), "2.10");
    assert_eq!(trim_fraction("1.20"), "1.2");
    assert_eq!(trim_fraction("50.00"), "50");
    assert_eq!(trim_fraction("100"), "100");
}
