//! Scales, ticks, SVG paths and number formats for the charts our own
//! components draw.
//!
//! Pure functions of their inputs (no clock, no DOM) so the server-rendered
//! and the hydrated chart agree to the pixel, and so they can be tested.
//! Odd input (NaN, infinities, empty ranges) never panics: charts are fed
//! whatever the query returned.

use std::fmt::Write;
use std::iter::successors;

/// Most ticks any axis will produce, whatever `target` asks: more labels than
/// this cannot fit on a screen, and the cap bounds the allocation.
const MAX_TICKS: usize = 1_000;

/// Shown for values that are not numbers, the usual "no data" mark in tables.
const NO_VALUE: &str = "—";

/// Round tick values (1, 2, 5 × 10^k steps) covering [min, max], about
/// `target` of them: the step is the smallest one that fits the range into
/// `target` steps, and the ticks extend to the multiples of the step at or
/// beyond each end, so the axis can use the first and last tick as its
/// domain.
///
/// If min == max, the range is widened to include zero (a flat series reads
/// as its value against a baseline); if both are 0 it becomes 0..1.
/// Non-finite bounds are ignored (the usual result of folding an empty
/// series with `f64::min`/`f64::max`), and reversed bounds are swapped.
pub fn nice_ticks(min: f64, max: f64, target: usize) -> Vec<f64> {
    let (low, high) = tick_domain(min, max);
    let Some(step) = NiceStep::covering(high - low, target.clamp(1, MAX_TICKS)) else {
        return vec![low, high];
    };
    let first = (low / step.value() + 1e-9).floor();
    let last = (high / step.value() - 1e-9).ceil();
    let count = ((last - first).max(0.0) as usize).min(MAX_TICKS + 1);
    let mut ticks: Vec<f64> = (0..=count)
        .map(|i| step.multiple(first + i as f64))
        .collect();
    ticks.dedup();
    ticks
}

/// Sanitised, ordered, non-empty range for [`nice_ticks`].
fn tick_domain(min: f64, max: f64) -> (f64, f64) {
    let (low, high) = match (min.is_finite(), max.is_finite()) {
        (true, true) => (min.min(max), min.max(max)),
        (true, false) => (min, min),
        (false, true) => (max, max),
        (false, false) => (0.0, 0.0),
    };
    if low < high {
        (low, high)
    } else if low == 0.0 {
        (0.0, 1.0)
    } else {
        (low.min(0.0), low.max(0.0))
    }
}

/// A step of `mantissa` × 10^`exponent` (mantissa 1, 2, 5 or 10), kept apart
/// so multiples can be computed without float noise (0.1 × 3 is not 0.3).
#[derive(Debug, Clone, Copy, PartialEq)]
struct NiceStep {
    mantissa: f64,
    exponent: i32,
}

impl NiceStep {
    /// The smallest 1-2-5 step that splits `span` into at most `target` steps.
    fn covering(span: f64, target: usize) -> Option<NiceStep> {
        let wanted = span / target as f64;
        if !(wanted.is_finite() && wanted > 0.0) {
            return None;
        }
        let exponent = wanted.log10().floor() as i32;
        // Tolerance so that 0.3 / 3 = 0.09999999999999999 still picks 0.1.
        let fits = |step: NiceStep| step.value() >= wanted * (1.0 - 1e-9);
        [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|mantissa| NiceStep { mantissa, exponent })
            .find(|&step| fits(step))
            .filter(|step| step.value().is_finite() && step.value() > 0.0)
    }

    fn value(self) -> f64 {
        self.multiple(1.0)
    }

    /// `k` × step; dividing by an exact power of ten rounds to the nearest
    /// double, so 3 × 0.1 comes out as 0.3. Adding 0.0 turns -0.0 into 0.0.
    fn multiple(self, k: f64) -> f64 {
        let scaled = k * self.mantissa;
        let result = if self.exponent >= 0 {
            scaled * 10f64.powi(self.exponent)
        } else {
            scaled / 10f64.powi(-self.exponent)
        };
        result + 0.0
    }
}

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Steps a time axis may use; they divide an hour or a day evenly, so
/// aligned ticks land on times people recognise.
const TIME_STEPS_MS: [i64; 12] = [
    MINUTE_MS,
    2 * MINUTE_MS,
    5 * MINUTE_MS,
    10 * MINUTE_MS,
    15 * MINUTE_MS,
    30 * MINUTE_MS,
    HOUR_MS,
    2 * HOUR_MS,
    3 * HOUR_MS,
    6 * HOUR_MS,
    12 * HOUR_MS,
    DAY_MS,
];

/// Time-axis ticks between two unix-millisecond instants (inclusive), about
/// `target` of them, at the smallest step of 1m…12h or 1d that fits the
/// range into `target` steps, aligned to the step in UTC. Labels are "HH:MM",
/// or "Mon 23" (weekday and day of month, UTC) when the step is a day.
///
/// Ranges too long even for daily ticks use whole days (every 2, 3, …
/// days since the epoch) rather than produce hundreds of labels.
/// Reversed bounds are swapped.
pub fn time_ticks(from_ms: i64, to_ms: i64, target: usize) -> Vec<(i64, String)> {
    let (from, to) = (from_ms.min(to_ms), from_ms.max(to_ms));
    let step = time_step_ms(to.abs_diff(from), target.clamp(1, MAX_TICKS));
    let Some(first) = align_up(from, step) else {
        return Vec::new();
    };
    successors(Some(first), |t| t.checked_add(step))
        .take_while(|&t| t <= to)
        .map(|t| (t, time_label(t, step)))
        .collect()
}

fn time_step_ms(span_ms: u64, target: usize) -> i64 {
    let wanted = span_ms.div_ceil(target as u64);
    if let Some(step) = TIME_STEPS_MS.into_iter().find(|&s| s as u64 >= wanted) {
        return step;
    }
    let days = wanted.div_ceil(DAY_MS as u64);
    i64::try_from(days)
        .ok()
        .and_then(|days| days.checked_mul(DAY_MS))
        .unwrap_or(i64::MAX)
}

/// The first multiple of `step` at or after `t`; `None` if it overflows.
fn align_up(t: i64, step: i64) -> Option<i64> {
    let below = t.div_euclid(step).checked_mul(step)?;
    if below == t {
        Some(t)
    } else {
        below.checked_add(step)
    }
}

fn time_label(t_ms: i64, step_ms: i64) -> String {
    let days = t_ms.div_euclid(DAY_MS);
    if step_ms % DAY_MS == 0 {
        let (_, _, day) = utc_date(days);
        return format!("{} {day}", weekday_name(days));
    }
    let minutes = t_ms.rem_euclid(DAY_MS) / MINUTE_MS;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Day of the week for a count of days since 1970-01-01, which was a Thursday.
fn weekday_name(days_since_epoch: i64) -> &'static str {
    const NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    NAMES[days_since_epoch.rem_euclid(7) as usize]
}

/// (year, month 1-12, day 1-31) in the proleptic Gregorian calendar for a
/// count of days since 1970-01-01.
///
/// Counts in 400-year eras (146,097 days each) of years starting on 1 March,
/// so the leap day is the last day of its year and month lengths follow a
/// fixed 153-days-per-5-months pattern; no tables or loops needed.
fn utc_date(days_since_epoch: i64) -> (i64, u32, u32) {
    const DAYS_PER_ERA: i64 = 146_097;
    // 1970-01-01 is day 719,468 counted from 0000-03-01.
    let days = days_since_epoch.saturating_add(719_468);
    let era = days.div_euclid(DAYS_PER_ERA);
    let day_of_era = days.rem_euclid(DAYS_PER_ERA);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let month = month as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Maps data values to pixels along one axis, and pixels back to values
/// (for hover read-outs and drag-to-zoom).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearScale {
    pub domain: (f64, f64),
    pub range: (f64, f64),
}

impl LinearScale {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Self {
        LinearScale { domain, range }
    }

    /// Value to pixel. A zero-width (or non-finite) domain maps everything
    /// to the middle of the range, where a flat series is best drawn. NaN
    /// stays NaN, which [`line_path`] treats as a gap.
    pub fn map(&self, value: f64) -> f64 {
        interpolate(self.domain, self.range, value)
    }

    /// Pixel to value; a zero-width range gives the middle of the domain.
    pub fn invert(&self, pixel: f64) -> f64 {
        interpolate(self.range, self.domain, pixel)
    }
}

fn interpolate(from: (f64, f64), to: (f64, f64), value: f64) -> f64 {
    let width = from.1 - from.0;
    if width == 0.0 || !width.is_finite() {
        // Halving first keeps huge opposite-signed ends from overflowing.
        return to.0 / 2.0 + to.1 / 2.0;
    }
    to.0 + (value - from.0) / width * (to.1 - to.0)
}

/// SVG path data "M x y L x y ..." for points already in pixel space, with
/// 1 decimal place (sub-pixel precision the eye cannot see only bloats the
/// DOM). A `None` or non-finite point breaks the line (the next point starts
/// a new "M"), so gaps in data are not bridged. An isolated point yields a
/// lone "M", which draws nothing; mark such points with a circle if needed.
pub fn line_path(points: &[Option<(f64, f64)>]) -> String {
    let mut path = String::new();
    let mut pen_down = false;
    for point in points {
        let Some((x, y)) = point.filter(|(x, y)| x.is_finite() && y.is_finite()) else {
            pen_down = false;
            continue;
        };
        if !path.is_empty() {
            path.push(' ');
        }
        path.push_str(if pen_down { "L " } else { "M " });
        push_coordinate(&mut path, x);
        path.push(' ');
        push_coordinate(&mut path, y);
        pen_down = true;
    }
    path
}

/// One decimal place, with "-0.0" written as "0.0" so paths stay stable.
fn push_coordinate(path: &mut String, value: f64) {
    let rounded = (value * 10.0).round() / 10.0;
    let _ = write!(path, "{:.1}", rounded + 0.0);
}

/// A duration for tables and axis labels, to 3 significant figures: "850ns",
/// "12.3µs", "1.25ms", "2.10s"; from a minute up "3m05s", then "2h05m" and
/// "3d04h". Negative durations (clock skew) keep their sign; NaN is "—".
/// The micro sign is U+00B5.
pub fn format_duration_ns(ns: f64) -> String {
    format_signed(ns, "", |ns| {
        let rounded = round_significant(ns, 3);
        if rounded < 60e9 {
            sub_minute_duration(rounded)
        } else {
            clock_duration(ns)
        }
    })
}

/// Durations under a minute in the largest unit that keeps them >= 1.
fn sub_minute_duration(rounded_ns: f64) -> String {
    const UNITS: [(f64, &str); 3] = [(1e9, "s"), (1e6, "ms"), (1e3, "\u{b5}s")];
    if rounded_ns == 0.0 {
        return "0ns".to_owned();
    }
    let (size, unit) = UNITS
        .into_iter()
        .find(|&(size, _)| rounded_ns >= size)
        .unwrap_or((1.0, "ns"));
    format!("{}{unit}", significant_figures(rounded_ns / size, 3))
}

/// Two whole units, the smaller zero-padded: "3m05s", "2h05m", "3d04h".
/// Each is rounded on its own, so 59m59.6s reads "1h00m", not "59m60s".
/// `as u64` saturates, so even absurd durations format.
fn clock_duration(ns: f64) -> String {
    let seconds = (ns / 1e9).round() as u64;
    if seconds < 3_600 {
        return format!("{}m{:02}s", seconds / 60, seconds % 60);
    }
    let minutes = (ns / 60e9).round() as u64;
    if minutes < 1_440 {
        return format!("{}h{:02}m", minutes / 60, minutes % 60);
    }
    let hours = (ns / 3_600e9).round() as u64;
    format!("{}d{:02}h", hours / 24, hours % 24)
}

/// Events per second: "0", "0.02/s", "12.3/s", "1.2k/s" (3 significant
/// figures, trailing zeros dropped). Rates under 0.001/s show as "<0.001/s"
/// rather than a long run of zeros; negative rates (counter resets) keep
/// their sign; NaN is "—".
pub fn format_rate(per_second: f64) -> String {
    const SUFFIXES: [(f64, &str); 4] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];
    if per_second == 0.0 {
        return "0".to_owned();
    }
    if per_second.abs() < 0.001 {
        return beyond_precision(per_second, "0.001/s");
    }
    format_signed(per_second, "/s", |rate| {
        let rounded = round_significant(rate, 3);
        let (size, suffix) = SUFFIXES
            .into_iter()
            .find(|&(size, _)| rounded >= size)
            .unwrap_or((1.0, ""));
        let number = significant_figures(rounded / size, 3);
        format!("{}{suffix}/s", trim_fraction(&number))
    })
}

/// A fraction as a percentage with up to 2 decimals: 0.0523 is "5.23%",
/// 0 is "0%", 0.5 is "50%". Values that would round to 0% or 100% without
/// being so show as "<0.01%" or ">99.99%", because an error rate of 0.004%
/// is not zero and an availability of 99.999% is not 100%. NaN is "—".
pub fn format_percent(fraction: f64) -> String {
    if fraction == 0.0 {
        return "0%".to_owned();
    }
    let percent = fraction * 100.0;
    if percent.abs() < 0.01 {
        return beyond_precision(percent, "0.01%");
    }
    if percent < 100.0 && format!("{percent:.2}") == "100.00" {
        return ">99.99%".to_owned();
    }
    format_signed(percent, "%", |percent| {
        format!("{}%", trim_fraction(&format!("{percent:.2}")))
    })
}

/// The edges every formatter shares: NaN is "—", infinity is "∞" plus
/// `unit`, and the sign is written once in front of the formatted magnitude.
fn format_signed(value: f64, unit: &str, format_magnitude: impl Fn(f64) -> String) -> String {
    if value.is_nan() {
        return NO_VALUE.to_owned();
    }
    let sign = if value < 0.0 { "-" } else { "" };
    let magnitude = value.abs();
    if magnitude.is_infinite() {
        return format!("{sign}∞{unit}");
    }
    format!("{sign}{}", format_magnitude(magnitude))
}

/// A non-zero value too small to show at our precision: "<0.01%", or
/// ">-0.01%" when negative, rather than a misleading "0".
fn beyond_precision(value: f64, smallest_shown: &str) -> String {
    if value < 0.0 {
        format!(">-{smallest_shown}")
    } else {
        format!("<{smallest_shown}")
    }
}

/// Rounds to `digits` significant figures; 0 and non-finite values pass through.
fn round_significant(value: f64, digits: i32) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let magnitude = value.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits - 1 - magnitude);
    let rounded = (value * scale).round() / scale;
    if rounded.is_finite() { rounded } else { value }
}

/// `value` with `digits` significant figures, keeping trailing zeros
/// ("2.10"): those say how precise the number is. At most 6 decimals, so
/// absurdly small input cannot produce a long string of zeros.
fn significant_figures(value: f64, digits: i32) -> String {
    let rounded = round_significant(value, digits);
    let magnitude = if rounded == 0.0 {
        0
    } else {
        rounded.abs().log10().floor() as i32
    };
    let decimals = (digits - 1 - magnitude).clamp(0, 6) as usize;
    format!("{rounded:.decimals$}")
}

/// "1.20" → "1.2", "50.00" → "50"; integers are left alone.
fn trim_fraction(number: &str) -> &str {
    if number.contains('.') {
        number.trim_end_matches('0').trim_end_matches('.')
    } else {
        number
    }
}

#[cfg(test)]
#[path = "chart_scale_tests.rs"]
mod tests;
