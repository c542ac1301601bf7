//! The silence form on the Alerts page, as typed: matchers as one line of
//! text, durations as text, a maintenance window as optional fields. It
//! becomes a [`SilenceInput`], checked like the API's.

use serde::{Deserialize, Serialize};

use super::silence::Matcher;
use super::silence_input::{RecurrenceInput, SilenceInput};
use crate::search_form::FieldError;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SilenceForm {
    /// `service=payments, severity=critical`.
    pub matchers: String,
    /// How long, like `2h`; for a maintenance window, how long each window.
    pub duration: String,
    pub comment: String,
    /// Weekdays of a recurring maintenance window, `sun,sat`; empty: a
    /// one-off silence.
    pub weekdays: String,
    /// Local start of each window, `02:00`.
    pub start: String,
    pub timezone: String,
}

impl SilenceForm {
    pub fn recurring(&self) -> bool {
        !self.weekdays.trim().is_empty()
    }

    /// The input the API would take, or the matchers' problems.
    pub fn to_input(&self) -> Result<SilenceInput, Vec<FieldError>> {
        let mut matchers = Vec::new();
        for part in self
            .matchers
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match Matcher::parse(part) {
                Some(matcher) => matchers.push(matcher),
                None => {
                    return Err(vec![FieldError {
                        field: "matchers".to_owned(),
                        message: format!("{part:?} is not a matcher; write name=value"),
                    }]);
                }
            }
        }
        let recurrence = self.recurring().then(|| RecurrenceInput {
            weekdays: self
                .weekdays
                .split(',')
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty())
                .collect(),
            start: self.start.trim().to_owned(),
            duration: self.duration.trim().to_owned(),
            timezone: match self.timezone.trim() {
                "" => "UTC".to_owned(),
                zone => zone.to_owned(),
            },
        });
        Ok(SilenceInput {
            matchers,
            duration: (!self.recurring()).then(|| self.duration.clone()),
            recurrence,
            comment: self.comment.clone(),
            ..SilenceInput::default()
        })
    }
}

/// The form field a refusal belongs next to.
pub fn form_field(field: &str) -> &str {
    match field {
        "ends_at" | "recurrence.duration" => "duration",
        "recurrence.weekdays" => "weekdays",
        "recurrence.start" => "start",
        "recurrence.timezone" => "timezone",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers_are_one_line_of_text() {
        let form = SilenceForm {
            matchers: r#"service=payments, severity!="warning", alertname=~"High.*""#.into(),
            duration: "2h".into(),
            comment: "deploy".into(),
            ..SilenceForm::default()
        };
        let input = form.to_input().unwrap();
        let texts: Vec<String> = input.matchers.iter().map(Matcher::text).collect();
        assert_eq!(
            texts,
            [
                r#"service="payments""#,
                r#"severity!="warning""#,
                r#"alertname=~"High.*""#
            ]
        );
        assert_eq!(input.duration.as_deref(), Some("2h"));
        assert!(input.recurrence.is_none());
        let bad = SilenceForm {
            matchers: "payments".into(),
            ..form
        };
        assert_eq!(bad.to_input().unwrap_err()[0].field, "matchers");
    }

    #[test]
    fn weekdays_make_it_a_maintenance_window() {
        let form = SilenceForm {
            matchers: "service=database".into(),
            duration: "2h".into(),
            comment: "vacuum".into(),
            weekdays: "sun, sat".into(),
            start: "02:00".into(),
            timezone: String::new(),
        };
        let input = form.to_input().unwrap();
        let recurrence = input.recurrence.unwrap();
        assert_eq!(recurrence.weekdays, ["sun", "sat"]);
        assert_eq!(recurrence.timezone, "UTC");
        assert_eq!(input.duration, None);
        assert_eq!(form_field("recurrence.start"), "start");
    }
}
