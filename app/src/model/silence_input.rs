//! A silence as people write it (the API's JSON and the silence form), and
//! the checks that turn it into one the evaluator can use.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::silence::{Matcher, Recurrence, WEEKDAYS};
use crate::search_form::FieldError;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SilenceInput {
    #[serde(default)]
    pub matchers: Vec<Matcher>,
    /// Default: now.
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    /// Instead of `ends_at`: how long from the start, like `2h`.
    #[serde(default)]
    pub duration: Option<String>,
    /// "Mute until resolved": this alert only, until it resolves.
    #[serde(default)]
    pub alert_id: Option<i64>,
    #[serde(default)]
    pub recurrence: Option<RecurrenceInput>,
    #[serde(default)]
    pub comment: String,
}

/// A weekly maintenance window as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecurrenceInput {
    /// `mon` … `sun` (any case, full names too) or `1` … `7`.
    pub weekdays: Vec<String>,
    /// Local start, `HH:MM`.
    pub start: String,
    /// Like `2h`.
    pub duration: String,
    #[serde(default = "utc")]
    pub timezone: String,
}

fn utc() -> String {
    "UTC".to_owned()
}

/// What a valid input stores.
#[derive(Debug, Clone, PartialEq)]
pub struct SilenceSpec {
    pub matchers: Vec<Matcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub alert_id: Option<i64>,
    pub recurrence: Option<Recurrence>,
    pub comment: String,
}

/// Comments, like acknowledgements', have at most this many characters.
const MAX_COMMENT: usize = 2_000;

/// Prometheus label names.
pub fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn weekday(text: &str) -> Option<i16> {
    let text = text.trim().to_ascii_lowercase();
    if let Ok(number) = text.parse::<i16>() {
        return (1..=7).contains(&number).then_some(number);
    }
    WEEKDAYS
        .iter()
        .position(|day| text.len() >= 3 && day.to_ascii_lowercase().starts_with(&text[..3]))
        .and_then(|i| i16::try_from(i + 1).ok())
}

fn duration_secs(text: &str) -> Option<i64> {
    crate::duration::parse_duration(text)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
}

impl SilenceInput {
    /// The silence, or a message per wrong field. `now` is the default
    /// start and what an end must be after. The time zone's name is checked
    /// against the database by the storage layer.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<SilenceSpec, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut refuse = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            })
        };
        let comment = self.comment.trim();
        if comment.is_empty() {
            refuse("comment", "say why, for whoever finds it muted".to_owned());
        } else if comment.chars().count() > MAX_COMMENT {
            refuse(
                "comment",
                format!("a comment has at most {MAX_COMMENT} characters"),
            );
        }
        if self.alert_id.is_none() && self.matchers.is_empty() {
            refuse(
                "matchers",
                "at least one matcher, like service=orders".to_owned(),
            );
        }
        for matcher in &self.matchers {
            if !is_label_name(&matcher.name) {
                refuse(
                    "matchers",
                    format!("{:?} is not a label name", matcher.name),
                );
            }
            #[cfg(feature = "ssr")]
            if matcher.is_regex && !super::silence::is_pattern(&matcher.value) {
                refuse(
                    "matchers",
                    format!("{:?} is not a regular expression", matcher.value),
                );
            }
        }
        // A silence that matches everything would mute every page at once.
        if !self.matchers.is_empty()
            && self
                .matchers
                .iter()
                .all(|m| !m.is_equal || m.value.is_empty() || (m.is_regex && m.value == ".*"))
        {
            refuse(
                "matchers",
                "at least one matcher must pick alerts out (name = value)".to_owned(),
            );
        }
        let starts_at = self.starts_at.unwrap_or(now);
        let mut duration_refused = false;
        let ends_at = match (&self.ends_at, self.duration.as_deref().map(str::trim)) {
            (Some(_), Some(d)) if !d.is_empty() => {
                refuse("duration", "give an end or a duration, not both".to_owned());
                duration_refused = true;
                None
            }
            (Some(end), _) => Some(*end),
            (None, Some(d)) if !d.is_empty() => match duration_secs(d) {
                Some(secs) if secs >= 60 => Some(starts_at + chrono::Duration::seconds(secs)),
                _ => {
                    refuse("duration", "a duration of 1m or more, like 2h".to_owned());
                    duration_refused = true;
                    None
                }
            },
            (None, _) => None,
        };
        if let Some(end) = ends_at {
            if end <= starts_at {
                refuse("ends_at", "the end must come after the start".to_owned());
            } else if end <= now {
                refuse("ends_at", "the end is already past".to_owned());
            }
        }
        let recurrence = self.recurrence.as_ref().and_then(|r| {
            let weekdays: Vec<Option<i16>> = r.weekdays.iter().map(|d| weekday(d)).collect();
            let mut ok = true;
            if weekdays.is_empty() || weekdays.iter().any(Option::is_none) {
                refuse(
                    "recurrence.weekdays",
                    "days like sun, mon … or 1 (Monday) to 7 (Sunday)".to_owned(),
                );
                ok = false;
            }
            let start = NaiveTime::parse_from_str(r.start.trim(), "%H:%M").ok();
            if start.is_none() {
                refuse("recurrence.start", "a local time like 02:00".to_owned());
                ok = false;
            }
            let length = duration_secs(&r.duration).filter(|s| (60..=86_400).contains(s));
            if length.is_none() {
                refuse(
                    "recurrence.duration",
                    "a duration from 1m to 24h, like 2h".to_owned(),
                );
                ok = false;
            }
            let timezone = r.timezone.trim();
            if timezone.is_empty() || timezone.len() > 64 {
                refuse(
                    "recurrence.timezone",
                    "a time zone like UTC or Europe/Berlin".to_owned(),
                );
                ok = false;
            }
            let mut days: Vec<i16> = weekdays.into_iter().flatten().collect();
            days.sort_unstable();
            days.dedup();
            ok.then(|| Recurrence {
                weekdays: days,
                start: start
                    .map(|t| t.format("%H:%M").to_string())
                    .unwrap_or_default(),
                duration_secs: length.and_then(|s| i32::try_from(s).ok()).unwrap_or(0),
                timezone: timezone.to_owned(),
            })
        });
        if ends_at.is_none()
            && self.alert_id.is_none()
            && self.recurrence.is_none()
            && !duration_refused
        {
            refuse(
                "ends_at",
                "an end or a duration; or mute one alert until it resolves".to_owned(),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SilenceSpec {
            matchers: self.matchers.clone(),
            starts_at,
            ends_at,
            alert_id: self.alert_id,
            recurrence,
            comment: comment.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn input() -> SilenceInput {
        SilenceInput {
            matchers: vec![Matcher::equal("service", "payments")],
            duration: Some("2h".into()),
            comment: "deploying the new card processor".into(),
            ..SilenceInput::default()
        }
    }

    fn fields(input: SilenceInput) -> Vec<String> {
        input
            .validate(now())
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_duration_counts_from_the_start() {
        let spec = input().validate(now()).unwrap();
        assert_eq!(spec.starts_at, now());
        assert_eq!(spec.ends_at, Some(now() + chrono::Duration::hours(2)));
    }

    #[test]
    fn bad_fields_are_named() {
        assert_eq!(
            fields(SilenceInput {
                matchers: vec![],
                comment: " ".into(),
                duration: None,
                ..input()
            }),
            ["comment", "matchers", "ends_at"]
        );
        assert_eq!(
            fields(SilenceInput {
                matchers: vec![Matcher::equal("9lives", "x")],
                ends_at: Some(now() - chrono::Duration::minutes(1)),
                starts_at: Some(now() - chrono::Duration::hours(1)),
                duration: None,
                ..input()
            }),
            ["matchers", "ends_at"]
        );
    }

    #[test]
    fn a_silence_must_pick_alerts_out() {
        let everything = Matcher {
            is_regex: true,
            ..Matcher::equal("service", ".*")
        };
        assert_eq!(
            fields(SilenceInput {
                matchers: vec![everything],
                ..input()
            }),
            ["matchers"]
        );
    }

    #[test]
    fn mute_until_resolved_needs_no_matchers_or_end() {
        let spec = SilenceInput {
            matchers: vec![],
            duration: None,
            alert_id: Some(4),
            ..input()
        }
        .validate(now())
        .unwrap();
        assert_eq!((spec.alert_id, spec.ends_at), (Some(4), None));
    }

    #[test]
    fn a_maintenance_window_reads_days_and_times() {
        let spec = SilenceInput {
            duration: None,
            recurrence: Some(RecurrenceInput {
                weekdays: vec!["Sunday".into(), "sat".into(), "7".into()],
                start: "2:00".into(),
                duration: "2h".into(),
                timezone: "Europe/Berlin".into(),
            }),
            ..input()
        }
        .validate(now())
        .unwrap();
        let recurrence = spec.recurrence.unwrap();
        assert_eq!(recurrence.weekdays, [6, 7]);
        assert_eq!(recurrence.start, "02:00");
        assert_eq!(recurrence.duration_secs, 7_200);
        assert_eq!(spec.ends_at, None);
        assert_eq!(
            fields(SilenceInput {
                recurrence: Some(RecurrenceInput {
                    weekdays: vec!["someday".into()],
                    start: "25:00".into(),
                    duration: "2d".into(),
                    timezone: String::new(),
                }),
                ..input()
            }),
            [
                "recurrence.weekdays",
                "recurrence.start",
                "recurrence.duration",
                "recurrence.timezone"
            ]
        );
    }
}
