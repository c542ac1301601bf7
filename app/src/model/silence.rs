//! Silences: matchers over an alert's labels that mute its notifications
//! for a while, until the alert resolves, or in a recurring maintenance
//! window. A muted alert is still evaluated and shown, marked silenced.

#[cfg(feature = "ssr")]
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One condition on a label, as in Alertmanager: equal or not, to a value
/// or to a regular expression anchored at both ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub is_regex: bool,
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

impl Matcher {
    pub fn equal(name: &str, value: &str) -> Matcher {
        Matcher {
            name: name.to_owned(),
            value: value.to_owned(),
            is_regex: false,
            is_equal: true,
        }
    }

    /// Reads `name="value"`, `name!="value"`, `name=~"regex"` or
    /// `name!~"regex"` (quotes optional), as amtool and Alertmanager's
    /// filters write them. The pattern itself is checked by the caller.
    pub fn parse(text: &str) -> Option<Matcher> {
        let at = text.find(['=', '!'])?;
        let (name, rest) = text.split_at(at);
        let (is_equal, is_regex, value) = if let Some(v) = rest.strip_prefix("!~") {
            (false, true, v)
        } else if let Some(v) = rest.strip_prefix("=~") {
            (true, true, v)
        } else if let Some(v) = rest.strip_prefix("!=") {
            (false, false, v)
        } else {
            (true, false, rest.strip_prefix('=')?)
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        Some(Matcher {
            name: name.trim().to_owned(),
            value: value.to_owned(),
            is_regex,
            is_equal,
        })
    }

    /// As Alertmanager writes it: `service="orders"`, `severity=~"crit.*"`.
    pub fn text(&self) -> String {
        let op = match (self.is_equal, self.is_regex) {
            (true, false) => "=",
            (false, false) => "!=",
            (true, true) => "=~",
            (false, true) => "!~",
        };
        format!("{}{op}{:?}", self.name, self.value)
    }

    /// Whether the labels satisfy it. A missing label reads as empty, as in
    /// Alertmanager, so `team!="db"` matches alerts without a team.
    #[cfg(feature = "ssr")]
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.name).map(String::as_str).unwrap_or("");
        let equal = if self.is_regex {
            anchored(&self.value).is_ok_and(|re| re.is_match(value))
        } else {
            value == self.value
        };
        equal == self.is_equal
    }
}

/// Whether a matcher's regular expression compiles.
#[cfg(feature = "ssr")]
pub fn is_pattern(pattern: &str) -> bool {
    anchored(pattern).is_ok()
}

#[cfg(feature = "ssr")]
fn anchored(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::Regex::new(&format!("^(?:{pattern})$"))
}

/// A weekly maintenance window, in a time zone's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    pub weekdays: Vec<i16>,
    /// Local start, `HH:MM`.
    pub start: String,
    pub duration_secs: i32,
    /// A time zone name Postgres knows (`Europe/Berlin`, `UTC`).
    pub timezone: String,
}

impl Recurrence {
    /// "Sun 02:00 for 2h (Europe/Berlin)".
    pub fn text(&self) -> String {
        let days: Vec<&str> = self
            .weekdays
            .iter()
            .filter_map(|d| WEEKDAYS.get(usize::try_from(*d - 1).ok()?).copied())
            .collect();
        format!(
            "{} {} for {} ({})",
            days.join(", "),
            self.start,
            crate::model::check_input::format_duration_ms(
                u64::try_from(self.duration_secs).unwrap_or(0) * 1000
            ),
            self.timezone
        )
    }
}

/// ISO weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Where a silence stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SilenceState {
    /// Muting now.
    Active,
    /// Not yet started, or a maintenance window between its windows.
    Pending,
    /// Over, ended by hand, or its alert resolved.
    Expired,
}

impl SilenceState {
    pub fn as_str(self) -> &'static str {
        match self {
            SilenceState::Active => "active",
            SilenceState::Pending => "pending",
            SilenceState::Expired => "expired",
        }
    }
}

/// A silence as stored, with its state at the time it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Silence {
    pub id: i64,
    pub matchers: Vec<Matcher>,
    pub starts_at: DateTime<Utc>,
    /// None: until its alert resolves.
    pub ends_at: Option<DateTime<Utc>>,
    /// "Mute until resolved": only this alert, while it is open.
    pub alert_id: Option<i64>,
    pub recurrence: Option<Recurrence>,
    pub comment: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expired_by: Option<String>,
    pub state: SilenceState,
    /// Open alerts it mutes now.
    pub muting: i64,
}

impl Silence {
    /// Whether it mutes the alert `alert_id` (None: one not stored yet)
    /// with these labels. Only for silences active now.
    #[cfg(feature = "ssr")]
    pub fn mutes(&self, alert_id: Option<i64>, labels: &BTreeMap<String, String>) -> bool {
        if let Some(only) = self.alert_id {
            return alert_id == Some(only);
        }
        self.matchers.iter().all(|m| m.matches(labels))
    }

    /// The matchers as Alertmanager writes them: `{service="orders", …}`.
    pub fn matchers_text(&self) -> String {
        Silence::matchers_text_of(&self.matchers)
    }

    pub fn matchers_text_of(matchers: &[Matcher]) -> String {
        let parts: Vec<String> = matchers.iter().map(Matcher::text).collect();
        format!("{{{}}}", parts.join(", "))
    }

    /// Minutes left before a one-off silence ends, when that is within
    /// `within` minutes: the page's reminder.
    pub fn ends_within(&self, now: DateTime<Utc>, within: i64) -> Option<i64> {
        let ends = self.ends_at.filter(|_| self.recurrence.is_none())?;
        let left = (ends - now).num_minutes();
        (self.state == SilenceState::Active && (0..within).contains(&left)).then_some(left)
    }
}

/// The first active silence that mutes the alert, if any.
#[cfg(feature = "ssr")]
pub fn muting_silence(
    silences: &[Silence],
    alert_id: Option<i64>,
    labels: &BTreeMap<String, String>,
) -> Option<i64> {
    silences
        .iter()
        .find(|s| s.mutes(alert_id, labels))
        .map(|s| s.id)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn labels() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("alertname".into(), "High error rate".into()),
            ("service".into(), "payments".into()),
            ("severity".into(), "critical".into()),
        ])
    }

    fn silence(matchers: Vec<Matcher>, alert_id: Option<i64>) -> Silence {
        Silence {
            id: 3,
            matchers,
            starts_at: DateTime::from_timestamp(0, 0).unwrap(),
            ends_at: None,
            alert_id,
            recurrence: None,
            comment: String::new(),
            created_by: "ana".into(),
            created_at: DateTime::from_timestamp(0, 0).unwrap(),
            expired_by: None,
            state: SilenceState::Active,
            muting: 0,
        }
    }

    #[test]
    fn every_matcher_must_match() {
        let both = silence(
            vec![
                Matcher::equal("service", "payments"),
                Matcher::equal("severity", "critical"),
            ],
            None,
        );
        assert!(both.mutes(Some(1), &labels()));
        let other = silence(
            vec![
                Matcher::equal("service", "payments"),
                Matcher::equal("severity", "warning"),
            ],
            None,
        );
        assert!(!other.mutes(Some(1), &labels()));
    }

    #[test]
    fn regexes_are_anchored_and_negation_works() {
        let re = |value: &str, is_equal| Matcher {
            name: "service".into(),
            value: value.into(),
            is_regex: true,
            is_equal,
        };
        assert!(re("pay.*", true).matches(&labels()));
        // Anchored: "pay" alone does not match "payments".
        assert!(!re("pay", true).matches(&labels()));
        assert!(re("orders|users", false).matches(&labels()));
        let not_team = Matcher {
            is_equal: false,
            ..Matcher::equal("team", "db")
        };
        assert!(
            not_team.matches(&labels()),
            "a missing label reads as empty"
        );
        // An invalid pattern (refused on input) never matches.
        assert!(!re("(", true).matches(&labels()));
    }

    #[test]
    fn mute_until_resolved_covers_only_its_alert() {
        let until_resolved = silence(vec![], Some(9));
        assert!(until_resolved.mutes(Some(9), &labels()));
        assert!(!until_resolved.mutes(Some(10), &labels()));
        assert!(!until_resolved.mutes(None, &labels()));
        assert_eq!(
            muting_silence(&[until_resolved], Some(9), &labels()),
            Some(3)
        );
    }
}
