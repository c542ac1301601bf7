//! Durations in Go's `time.ParseDuration` syntax ("1.2s", "1h30m", "2µs",
//! "0"), as Jaeger's API and its search form accept them. Used by the trace
//! search form in the browser and by the Jaeger API on the server, so both
//! accept exactly the same text.

/// Nanoseconds of a Go duration, with Go's error wording. Negative values
/// are rejected: every caller would silently match nothing with one.
/// Fractions are truncated with exact integer arithmetic where Go uses a
/// float, so results may differ from Go's by 1 ns.
pub fn parse_go_duration(text: &str) -> Result<i64, String> {
    parse_duration_with(text, false)
}

/// The same, also accepting days (`2d`), which the Jaeger UI's lookback
/// menu sends.
pub fn parse_duration_with_days(text: &str) -> Result<i64, String> {
    parse_duration_with(text, true)
}

/// Go's duration grammar: an optional sign, then one or more
/// `<decimal><unit>` terms, or the bare string "0".
fn parse_duration_with(text: &str, allow_days: bool) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {text:?}");
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    let mut total: u64 = 0;
    loop {
        let (whole, fraction, unit_name, next) = split_term(rest).ok_or_else(invalid)?;
        if unit_name.is_empty() {
            return Err(format!("time: missing unit in duration {text:?}"));
        }
        let unit = unit_nanos(unit_name, allow_days)
            .ok_or_else(|| format!("time: unknown unit {unit_name:?} in duration {text:?}"))?;
        let term = term_nanos(whole, fraction, unit).ok_or_else(invalid)?;
        total = total.checked_add(term).ok_or_else(invalid)?;
        match next {
            "" => break,
            _ => rest = next,
        }
    }
    let magnitude = i64::try_from(total).map_err(|_| invalid())?;
    if negative && magnitude != 0 {
        return Err(format!("negative duration {text:?} is not allowed"));
    }
    Ok(magnitude)
}

/// Nanoseconds per unit of Go's `time.ParseDuration`, which accepts both
/// micro signs (U+00B5 and U+03BC). Days are not Go's, but the Jaeger UI's
/// lookback menu sends them ("2d", "7d").
fn unit_nanos(name: &str, allow_days: bool) -> Option<u64> {
    Some(match name {
        "ns" => 1,
        "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        "d" if allow_days => 86_400_000_000_000,
        _ => return None,
    })
}

/// Splits one `<digits>[.<digits>]<unit>` term off the front into whole
/// digits, fraction digits, unit and rest; `None` when there are no digits
/// on either side of the point (Go's "invalid duration").
fn split_term(text: &str) -> Option<(&str, &str, &str, &str)> {
    let end = |s: &str, stop: fn(char) -> bool| s.find(stop).unwrap_or(s.len());
    let (whole, rest) = text.split_at(end(text, |c| !c.is_ascii_digit()));
    let (fraction, rest) = match rest.strip_prefix('.') {
        Some(after_point) => after_point.split_at(end(after_point, |c| !c.is_ascii_digit())),
        None => ("", rest),
    };
    let (unit, next) = rest.split_at(end(rest, |c| c == '.' || c.is_ascii_digit()));
    (!whole.is_empty() || !fraction.is_empty()).then_some((whole, fraction, unit, next))
}

/// `whole.fraction * unit` in nanoseconds, `None` on overflow. Fraction
/// digits past the 18th are below a nanosecond for every unit and ignored.
fn term_nanos(whole: &str, fraction: &str, unit: u64) -> Option<u64> {
    let push = |acc: u64, digit: u8| acc.checked_mul(10)?.checked_add(u64::from(digit - b'0'));
    let whole_value = whole.bytes().try_fold(0, push)?;
    let fraction = &fraction[..fraction.len().min(18)];
    let scale = 10u128.pow(fraction.len() as u32);
    let digits = fraction.bytes().map(|digit| u128::from(digit - b'0'));
    let fraction_value = digits.fold(0u128, |acc, digit| acc * 10 + digit);
    let fraction_nanos = u64::try_from(fraction_value * u128::from(unit) / scale).ok()?;
    whole_value.checked_mul(unit)?.checked_add(fraction_nanos)
}
