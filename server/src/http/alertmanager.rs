//! The Alertmanager API v2, read-only: `GET /api/v2/alerts` and
//! `GET /api/v2/status`, so `amtool alert query` and Grafana's Alertmanager
//! data source can read Watchpost's alerts.
//!
//! Alertmanager holds only firing alerts, so pending and resolved ones are
//! left out. It has no acknowledgement: an acknowledged alert stays
//! `active`, with who and why in its annotations.

use std::collections::BTreeMap;

use app::auth::Access;
use app::model::alert::{Alert, AlertState};
use app::model::role::Role;
use app::model::silence::{Matcher, Silence};
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use axum::routing::get;
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use super::error::ApiError;
use crate::accounts::access::ApiRoute;
use crate::startup::ServerState;

pub fn routes() -> Vec<ApiRoute> {
    let viewer = Access::Signed(Role::Viewer);
    vec![
        ApiRoute::new(Method::GET, "/api/v2/alerts", viewer, get(alerts)),
        ApiRoute::new(Method::GET, "/api/v2/status", viewer, get(status)),
        ApiRoute::new(Method::GET, "/api/v2/silences", viewer, get(silences)),
    ]
}

/// Alertmanager's `gettableAlert`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GettableAlert {
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    starts_at: String,
    ends_at: String,
    updated_at: String,
    #[serde(rename = "generatorURL")]
    generator_url: String,
    fingerprint: String,
    status: Value,
    receivers: Vec<Value>,
}

/// How long a firing alert is promised to last without news: Alertmanager
/// clients treat `endsAt` in the past as resolved.
const ENDS_AFTER: chrono::Duration = chrono::Duration::minutes(5);

fn rfc3339(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// An alert's Alertmanager labels: the rule as `alertname`, the service,
/// the severity and the rule's own labels. Shared with the webhook payload (`alerts::notify`).
pub(crate) fn labels(alert: &Alert) -> BTreeMap<String, String> {
    alert.labels()
}

/// Its annotations: a summary with the value, the runbook, and who
/// acknowledged it and why (Alertmanager has no field for that).
pub(crate) fn annotations(alert: &Alert) -> BTreeMap<String, String> {
    let mut annotations = BTreeMap::new();
    if let Some(value) = alert.value {
        annotations.insert(
            "summary".to_owned(),
            format!(
                "{} on {}: {} (threshold {})",
                alert.rule,
                alert.service,
                alert.value_text(value),
                alert.value_text(alert.threshold)
            ),
        );
    }
    if !alert.runbook_url.is_empty() {
        annotations.insert("runbook_url".to_owned(), alert.runbook_url.clone());
    }
    if let Some(by) = &alert.acknowledged_by {
        annotations.insert("acknowledged_by".to_owned(), by.clone());
    }
    if let Some(comment) = &alert.ack_comment {
        annotations.insert("acknowledgement_comment".to_owned(), comment.clone());
    }
    annotations
}

impl GettableAlert {
    fn of(alert: Alert) -> GettableAlert {
        let mut labels = labels(&alert);
        labels.insert("kind".to_owned(), alert.kind.as_str().to_owned());
        let annotations = annotations(&alert);
        let now = Utc::now();
        let starts = alert.firing_since.unwrap_or(alert.pending_since);
        GettableAlert {
            labels,
            annotations,
            starts_at: rfc3339(starts),
            ends_at: rfc3339(now + ENDS_AFTER),
            updated_at: rfc3339(now),
            generator_url: format!("/alerts?show=all#alert-{}", alert.id),
            fingerprint: format!("{:016x}", alert.id),
            status: match alert.silenced_by {
                Some(silence) => json!({
                    "state": "suppressed",
                    "silencedBy": [silence.to_string()],
                    "inhibitedBy": [],
                    "mutedBy": [],
                }),
                None => json!({
                    "state": "active", "silencedBy": [], "inhibitedBy": [], "mutedBy": [],
                }),
            },
            receivers: vec![json!({ "name": "watchpost" })],
        }
    }
}

#[derive(Debug)]
struct AlertsQuery {
    /// `active=false` asks for no unsilenced alerts.
    active: Option<bool>,
    /// `silenced=false` leaves silenced alerts out.
    silenced: Option<bool>,
    /// Label matchers like `service="orders"` (`=`, `!=`, `=~`, `!~`),
    /// repeatable.
    filter: Vec<String>,
}

/// A filter as a matcher; a bad one, or a bad pattern, is a 400.
fn matcher(text: &str) -> Result<Matcher, ApiError> {
    Matcher::parse(text)
        .filter(|m| !m.is_regex || app::model::silence::is_pattern(&m.value))
        .ok_or_else(|| ApiError::Malformed(format!("bad filter {text:?}; use name=\"value\"")))
}

async fn alerts(
    State(state): State<ServerState>,
    raw_query: axum::extract::RawQuery,
) -> Result<Json<Vec<GettableAlert>>, ApiError> {
    let query = parse_query(raw_query.0.as_deref().unwrap_or(""))?;
    let matchers = query
        .filter
        .iter()
        .map(|f| matcher(f))
        .collect::<Result<Vec<_>, _>>()?;
    let firing = state
        .app
        .db
        .alerts(Some(AlertState::Firing), None, 1_000)
        .await?;
    Ok(Json(
        firing
            .into_iter()
            .filter(|alert| match alert.silenced_by {
                Some(_) => query.silenced != Some(false),
                None => query.active != Some(false),
            })
            .map(GettableAlert::of)
            .filter(|alert| matchers.iter().all(|m| m.matches(&alert.labels)))
            .collect(),
    ))
}

/// `filter` repeats, which serde's query decoding does not gather; the
/// rest is read the usual way.
fn parse_query(raw: &str) -> Result<AlertsQuery, ApiError> {
    let mut filter = Vec::new();
    let (mut active, mut silenced) = (None, None);
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value)
            .ok_or_else(|| ApiError::Malformed(format!("bad query parameter {key:?}")))?;
        match key {
            "filter" => filter.push(value),
            "active" => active = Some(value != "false"),
            "silenced" => silenced = Some(value != "false"),
            _ => {}
        }
    }
    Ok(AlertsQuery {
        active,
        silenced,
        filter,
    })
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

async fn status() -> Json<Value> {
    Json(json!({
        "cluster": { "status": "ready", "peers": [] },
        "versionInfo": { "version": env!("CARGO_PKG_VERSION"), "branch": "", "revision": "", "buildUser": "", "buildDate": "", "goVersion": "" },
        "config": { "original": "" },
        "uptime": rfc3339(Utc::now()),
    }))
}

/// Alertmanager's `gettableSilence`. Silences with no end (until an alert
/// resolves, or a maintenance window that recurs forever) show a far end.
fn gettable_silence(silence: &Silence) -> Value {
    let ends = silence
        .ends_at
        .map(rfc3339)
        .unwrap_or_else(|| "9999-12-31T23:59:59.000Z".to_owned());
    let mut comment = silence.comment.clone();
    if let Some(recurrence) = &silence.recurrence {
        comment = format!("{comment} (maintenance window: {})", recurrence.text());
    }
    json!({
        "id": silence.id.to_string(),
        "status": { "state": silence.state.as_str() },
        "updatedAt": rfc3339(silence.created_at),
        "comment": comment,
        "createdBy": silence.created_by,
        "startsAt": rfc3339(silence.starts_at),
        "endsAt": ends,
        "matchers": silence.matchers.iter().map(|m| json!({
            "name": m.name, "value": m.value, "isRegex": m.is_regex, "isEqual": m.is_equal,
        })).collect::<Vec<_>>(),
    })
}

/// `GET /api/v2/silences`: every silence, expired ones included, as
/// `amtool silence query` reads them.
async fn silences(State(state): State<ServerState>) -> Result<Json<Vec<Value>>, ApiError> {
    let silences = state.app.db.silences(Utc::now(), true, 1_000).await?;
    Ok(Json(silences.iter().map(gettable_silence).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_label_matchers() {
        assert_eq!(
            matcher("service=\"orders\"").unwrap(),
            Matcher::equal("service", "orders")
        );
        let not_warning = matcher("severity!=\"warning\"").unwrap();
        assert_eq!((not_warning.is_equal, not_warning.is_regex), (false, false));
        let regex = matcher("service=~\"pay.*\"").unwrap();
        assert_eq!((regex.is_equal, regex.is_regex), (true, true));
        assert_eq!(regex.value, "pay.*");
        let not_regex = matcher("service!~\"a|b\"").unwrap();
        assert_eq!((not_regex.is_equal, not_regex.is_regex), (false, true));
        assert!(matcher("nonsense").is_err());
        assert!(matcher("service=~\"(\"").is_err());
        let query =
            parse_query("filter=service%3D%22a%22&filter=severity%3D%22critical%22&active=true")
                .unwrap();
        assert_eq!(query.filter, vec!["service=\"a\"", "severity=\"critical\""]);
        assert_eq!(query.active, Some(true));
    }
}
