//! The time window every page looks at.
//!
//! It lives in the URL (`?range=1h`, or `?from=…&to=…` for a fixed window) so
//! that a link pasted into a chat shows the same window to whoever opens it.

use chrono::{DateTime, Duration, NaiveDateTime, SecondsFormat, TimeZone, Utc};

/// The query parameters the time range owns; other parameters are left alone.
pub const RANGE_PARAMS: [&str; 3] = ["range", "from", "to"];

/// The quick choices in the header, as in Grafana and Jaeger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Last15Minutes,
    LastHour,
    Last6Hours,
    Last24Hours,
    Last7Days,
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Preset::Last15Minutes,
        Preset::LastHour,
        Preset::Last6Hours,
        Preset::Last24Hours,
        Preset::Last7Days,
    ];

    /// The value used in the URL.
    pub fn key(self) -> &'static str {
        match self {
            Preset::Last15Minutes => "15m",
            Preset::LastHour => "1h",
            Preset::Last6Hours => "6h",
            Preset::Last24Hours => "24h",
            Preset::Last7Days => "7d",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Preset::Last15Minutes => "Last 15 minutes",
            Preset::LastHour => "Last hour",
            Preset::Last6Hours => "Last 6 hours",
            Preset::Last24Hours => "Last 24 hours",
            Preset::Last7Days => "Last 7 days",
        }
    }

    pub fn duration(self) -> Duration {
        match self {
            Preset::Last15Minutes => Duration::minutes(15),
            Preset::LastHour => Duration::hours(1),
            Preset::Last6Hours => Duration::hours(6),
            Preset::Last24Hours => Duration::hours(24),
            Preset::Last7Days => Duration::days(7),
        }
    }

    pub fn from_key(key: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|preset| preset.key() == key)
    }
}

/// Either "the last N" (moves with the clock) or a fixed window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeRange {
    Relative(Preset),
    Absolute {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

impl Default for TimeRange {
    fn default() -> Self {
        TimeRange::Relative(Preset::LastHour)
    }
}

impl TimeRange {
    /// Reads the range from query parameters.
    ///
    /// A mangled or half-edited link falls back to the default window instead
    /// of an error page: the page is still useful and the picker shows what
    /// is in effect.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> TimeRange {
        let from = get("from").and_then(|v| parse_url_instant(&v));
        let to = get("to").and_then(|v| parse_url_instant(&v));
        if let (Some(from), Some(to)) = (from, to)
            && from < to
        {
            return TimeRange::Absolute { from, to };
        }
        get("range")
            .and_then(|key| Preset::from_key(&key))
            .map(TimeRange::Relative)
            .unwrap_or_default()
    }

    /// The query parameters that describe this range.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        match self {
            TimeRange::Relative(preset) => vec![("range", preset.key().to_owned())],
            TimeRange::Absolute { from, to } => {
                vec![
                    ("from", format_url_instant(*from)),
                    ("to", format_url_instant(*to)),
                ]
            }
        }
    }

    /// A link to `path` showing this range. The default range is left out to
    /// keep everyday links short. Values are plain ASCII (`1h`,
    /// `2026-01-02T03:04:00Z`), so they need no escaping.
    pub fn href_for(&self, path: &str) -> String {
        if *self == TimeRange::default() {
            return path.to_owned();
        }
        format!("{path}?{}", self.to_query_string())
    }

    /// The range as `k=v&k=v`, the form server functions receive it in.
    pub fn to_query_string(&self) -> String {
        let pairs: Vec<String> = self
            .query_pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.join("&")
    }

    /// Reads what [`TimeRange::to_query_string`] wrote.
    pub fn from_query_string(text: &str) -> TimeRange {
        TimeRange::from_query(|key| {
            text.split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_owned())
        })
    }

    /// The concrete window at `now`.
    pub fn resolve(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        match *self {
            TimeRange::Relative(preset) => (now - preset.duration(), now),
            TimeRange::Absolute { from, to } => (from, to),
        }
    }

    /// What the picker shows.
    pub fn label(&self) -> String {
        match self {
            TimeRange::Relative(preset) => preset.label().to_owned(),
            TimeRange::Absolute { from, to } => format!(
                "{} → {} UTC",
                from.format("%Y-%m-%d %H:%M"),
                to.format("%Y-%m-%d %H:%M")
            ),
        }
    }
}

/// Instants in URLs are RFC 3339 in UTC; epoch milliseconds are accepted too
/// because that is what Grafana and Jaeger put in their links.
fn parse_url_instant(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(millis) = value.parse::<i64>() {
        return Utc.timestamp_millis_opt(millis).single();
    }
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn format_url_instant(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The value a `datetime-local` input shows for an instant (in UTC).
pub fn to_input_value(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%dT%H:%M").to_string()
}

/// Which field of the custom-range form a problem belongs to, so the message
/// can sit next to that field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomRangeError {
    #[error("{0}")]
    From(String),
    #[error("{0}")]
    To(String),
}

/// Validates the custom range form (`datetime-local` values, read as UTC).
pub fn parse_custom_range(from: &str, to: &str) -> Result<TimeRange, CustomRangeError> {
    let from = parse_input_value(from).map_err(CustomRangeError::From)?;
    let to = parse_input_value(to).map_err(CustomRangeError::To)?;
    if to <= from {
        return Err(CustomRangeError::To(
            "must be later than the start".to_owned(),
        ));
    }
    Ok(TimeRange::Absolute { from, to })
}

fn parse_input_value(value: &str) -> Result<DateTime<Utc>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err("pick a date and time".to_owned());
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())
        .map(|naive| naive.and_utc())
        .ok_or_else(|| format!("\"{value}\" is not a date and time like 2026-01-31T14:00"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn presets_round_trip_through_the_url() {
        for preset in Preset::ALL {
            let range = TimeRange::Relative(preset);
            let pairs = range.query_pairs();
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(TimeRange::from_query(query(&pairs)), range);
        }
    }

    #[test]
    fn absolute_ranges_round_trip_and_accept_epoch_millis() {
        let from = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 1, 2, 5, 0, 0).unwrap();
        let range = TimeRange::Absolute { from, to };
        let pairs = range.query_pairs();
        assert_eq!(pairs[0].1, "2026-01-02T03:04:00Z");
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(TimeRange::from_query(query(&pairs)), range);

        let millis = [("from", "1767323040000"), ("to", "1767330000000")];
        assert_eq!(TimeRange::from_query(query(&millis)), range);
    }

    #[test]
    fn links_carry_only_a_non_default_range() {
        assert_eq!(TimeRange::default().href_for("/map"), "/map");
        assert_eq!(
            TimeRange::Relative(Preset::Last7Days).href_for("/map"),
            "/map?range=7d"
        );
    }

    #[test]
    fn mangled_links_fall_back_to_the_default() {
        assert_eq!(TimeRange::from_query(query(&[])), TimeRange::default());
        assert_eq!(
            TimeRange::from_query(query(&[("range", "3y")])),
            TimeRange::default()
        );
        let backwards = [
            ("from", "2026-01-02T05:00:00Z"),
            ("to", "2026-01-02T03:00:00Z"),
        ];
        assert_eq!(
            TimeRange::from_query(query(&backwards)),
            TimeRange::default()
        );
    }

    #[test]
    fn resolves_relative_ranges_against_now() {
        let now = Utc.with_ymd_and_hms(2026, 1, 2, 12, 0, 0).unwrap();
        let (from, to) = TimeRange::Relative(Preset::Last15Minutes).resolve(now);
        assert_eq!((to - from).num_minutes(), 15);
        assert_eq!(to, now);
    }

    #[test]
    fn custom_range_errors_point_at_their_field() {
        assert_eq!(
            parse_custom_range("", "2026-01-02T05:00"),
            Err(CustomRangeError::From("pick a date and time".into()))
        );
        assert!(matches!(
            parse_custom_range("2026-01-02T05:00", "tomorrow"),
            Err(CustomRangeError::To(_))
        ));
        assert_eq!(
            parse_custom_range("2026-01-02T05:00", "2026-01-02T04:00"),
            Err(CustomRangeError::To("must be later than the start".into()))
        );
        let ok = parse_custom_range("2026-01-02T03:04", "2026-01-02T05:00").unwrap();
        assert_eq!(ok.label(), "2026-01-02 03:04 → 2026-01-02 05:00 UTC");
    }
}
