use std::fmt;
use std::time::Duration;

/// Why a duration string was refused; the message is shown to people as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("a duration is needed, e.g. \"10s\"")]
    Empty,
    #[error(
        "\"{0}\" is not a duration; write a number and a unit, e.g. \"500ms\", \"10s\", \"5m\""
    )]
    Malformed(String),
    #[error("unknown unit \"{0}\"; use ms, s, m, h or d")]
    UnknownUnit(String),
    #[error("\"{0}\" is too large")]
    Overflow(String),
}

/// Parses `"500ms"`, `"10s"`, `"1m30s"`, `"2h"`, `"7d"`.
///
/// Several parts may be chained (`1h30m`), as in Go and Prometheus, because
/// people paste durations from those tools.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    let malformed = || DurationError::Malformed(text.to_owned());
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(malformed());
        }
        let amount: u64 = rest[..digits]
            .parse()
            .map_err(|_| DurationError::Overflow(text.to_owned()))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = rest[..unit_len].trim();
        rest = &rest[unit_len..];
        let millis_per_unit: u64 = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "" => return Err(malformed()),
            other => return Err(DurationError::UnknownUnit(other.to_owned())),
        };
        let millis = amount
            .checked_mul(millis_per_unit)
            .ok_or_else(|| DurationError::Overflow(text.to_owned()))?;
        total = total
            .checked_add(Duration::from_millis(millis))
            .ok_or_else(|| DurationError::Overflow(text.to_owned()))?;
    }
    Ok(total)
}

/// A duration that prints the way it is parsed, so settings round-trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl std::str::FromStr for HumanDuration {
    type Err = DurationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_duration(s).map(HumanDuration)
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.as_millis();
        let units = [
            (86_400_000, "d"),
            (3_600_000, "h"),
            (60_000, "m"),
            (1_000, "s"),
        ];
        for (size, unit) in units {
            if millis >= size && millis.is_multiple_of(size) {
                return write!(f, "{}{unit}", millis / size);
            }
        }
        write!(f, "{millis}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_and_chained_units() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration(" 5m "), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(parse_duration(""), Err(DurationError::Empty));
        assert_eq!(
            parse_duration("10"),
            Err(DurationError::Malformed("10".into()))
        );
        assert_eq!(
            parse_duration("s"),
            Err(DurationError::Malformed("s".into()))
        );
        assert_eq!(
            parse_duration("3 weeks"),
            Err(DurationError::UnknownUnit("weeks".into()))
        );
        assert!(matches!(
            parse_duration("99999999999999999999s"),
            Err(DurationError::Overflow(_))
        ));
    }

    #[test]
    fn prints_what_it_parses() {
        for text in ["500ms", "10s", "5m", "2h", "7d", "1500ms"] {
            let parsed: HumanDuration = text.parse().unwrap();
            assert_eq!(parsed.to_string(), text);
        }
    }
}
