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

/// An alert's Alertmanager labels: the rule as `alertname`, the service and
/// the severity. Shared with the webhook payload (`alerts::notify`).
pub(crate) fn labels(alert: &Alert) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("alertname".to_owned(), alert.rule.clone()),
        ("service".to_owned(), alert.service.clone()),
        ("severity".to_owned(), alert.severity.as_str().to_owned()),
    ])
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
            status: json!({ "state": "active", "silencedBy": [], "inhibitedBy": [], "mutedBy": [] }),
            receivers: vec![json!({ "name": "watchpost" })],
        }
    }
}

#[derive(Debug)]
struct AlertsQuery {
    /// `active=false` asks for no active alerts; all of ours are active.
    active: Option<bool>,
    /// Label matchers like `service="orders"` (`=` and `!=`), repeatable.
    filter: Vec<String>,
}

/// A `name="value"` or `name!="value"` matcher.
fn matcher(text: &str) -> Result<(String, bool, String), ApiError> {
    let bad = || ApiError::Malformed(format!("bad filter {text:?}; use name=\"value\""));
    let (name, negated, value) = match text.split_once("!=") {
        Some((name, value)) => (name, true, value),
        None => {
            let (name, value) = text.split_once('=').ok_or_else(bad)?;
            (name, false, value)
        }
    };
    let value = value.trim().trim_matches('"');
    Ok((name.trim().to_owned(), negated, value.to_owned()))
}

async fn alerts(
    State(state): State<ServerState>,
    raw_query: axum::extract::RawQuery,
) -> Result<Json<Vec<GettableAlert>>, ApiError> {
    let query = parse_query(raw_query.0.as_deref().unwrap_or(""))?;
    if query.active == Some(false) {
        return Ok(Json(Vec::new()));
    }
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
            .map(GettableAlert::of)
            .filter(|alert| {
                matchers.iter().all(|(name, negated, value)| {
                    let equal = alert.labels.get(name).is_some_and(|v| v == value);
                    equal != *negated
                })
            })
            .collect(),
    ))
}

/// `filter` repeats, which serde's query decoding does not gather; the
/// rest is read the usual way.
fn parse_query(raw: &str) -> Result<AlertsQuery, ApiError> {
    let mut filter = Vec::new();
    let mut active = None;
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value)
            .ok_or_else(|| ApiError::Malformed(format!("bad query parameter {key:?}")))?;
        match key {
            "filter" => filter.push(value),
            "active" => active = Some(value != "false"),
            _ => {}
        }
    }
    Ok(AlertsQuery { active, filter })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_label_matchers() {
        assert_eq!(
            matcher("service=\"orders\"").unwrap(),
            ("service".to_owned(), false, "orders".to_owned())
        );
        assert_eq!(
            matcher("severity!=\"warning\"").unwrap(),
            ("severity".to_owned(), true, "warning".to_owned())
        );
        assert!(matcher("nonsense").is_err());
        let query =
            parse_query("filter=service%3D%22a%22&filter=severity%3D%22critical%22&active=true")
                .unwrap();
        assert_eq!(query.filter, vec!["service=\"a\"", "severity=\"critical\""]);
        assert_eq!(query.active, Some(true));
    }
}
