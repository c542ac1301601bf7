//! Delivering alert notifications: claim due deliveries from the outbox,
//! build the payload for the target's kind, POST it, record the attempt,
//! retry with backoff. Any replica may deliver: claims skip locked rows and
//! hide them for a minute, so none is sent twice at once.

use std::time::{Duration, Instant};

use app::model::alert::Alert;
use app::model::silence::Silence;
use app::storage::Database;
use app::storage::notifications::Delivery;
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// How often the outbox is looked at.
const POLL: Duration = Duration::from_secs(1);
/// Deliveries claimed per round.
const BATCH: i64 = 20;
/// One attempt's limit.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts before giving up (the last about 20 minutes after the first).
const MAX_ATTEMPTS: i32 = 12;

/// The wait before attempt `attempts + 1`: 1 s, 2 s, 4 s … capped at 5 min.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(0, 16)).unwrap_or(0);
    Duration::from_secs(2u64.saturating_pow(exponent)).min(Duration::from_secs(300))
}

pub async fn run(db: Database, cancel: CancellationToken) {
    let client = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(error = %error, "no HTTP client for notifications");
            return;
        }
    };
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(POLL) => {}
        }
        if let Err(error) = deliver_due(&db, &client).await {
            tracing::debug!(error = %error, "notification round failed");
        }
    }
}

/// Sends every due delivery once; returns how many were claimed.
pub async fn deliver_due(
    db: &Database,
    client: &reqwest::Client,
) -> Result<usize, app::storage::StorageError> {
    let due = db.claim_deliveries(BATCH).await?;
    for delivery in &due {
        let payload = match (delivery.alert_id, delivery.silence_id) {
            (Some(alert_id), _) => match db.alert(alert_id).await? {
                Some(alert) => payload(delivery, &alert),
                None => continue,
            },
            (None, Some(silence_id)) => match db.silence(silence_id, Utc::now()).await? {
                Some(silence) => silence_reminder(&silence),
                None => continue,
            },
            (None, None) => continue,
        };
        let started = Instant::now();
        let outcome = client
            .post(&delivery.target_url)
            .json(&payload)
            .send()
            .await;
        let took = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        let (status, error) = match &outcome {
            Ok(response) => (Some(response.status().as_u16()), String::new()),
            // The error's text, without the URL (it may carry a token).
            Err(error) => (None, error.without_url_text()),
        };
        let delivered = status.is_some_and(|s| (200..300).contains(&s));
        let error = if delivered || !error.is_empty() {
            error
        } else {
            format!("answered {}", status.unwrap_or_default())
        };
        let retry_in = (!delivered && delivery.attempts + 1 < MAX_ATTEMPTS)
            .then(|| backoff(delivery.attempts));
        if !delivered {
            tracing::info!(target = %delivery.target_name, alert = ?delivery.alert_id, silence = ?delivery.silence_id, %error, "notification not delivered");
        }
        db.record_delivery_attempt(delivery.id, status, &error, took, delivered, retry_in)
            .await?;
    }
    Ok(due.len())
}

trait WithoutUrl {
    fn without_url_text(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_text(&self) -> String {
        let mut text = self.to_string();
        if let Some(url) = self.url() {
            text = text.replace(url.as_str(), "<target>");
        }
        if self.is_timeout() {
            "timed out".to_owned()
        } else if self.is_connect() {
            format!("could not connect ({text})")
        } else {
            text
        }
    }
}

fn rfc3339(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The body for the delivery's target kind.
pub fn payload(delivery: &Delivery, alert: &Alert) -> Value {
    match delivery.target_kind.as_str() {
        "alertmanager" => alertmanager(delivery, alert),
        _ => generic(delivery, alert),
    }
}

/// Alertmanager's webhook payload (version 4). It knows only firing and
/// resolved: an acknowledgement is sent as firing, with who and why in the
/// annotations.
fn alertmanager(delivery: &Delivery, alert: &Alert) -> Value {
    let resolved = delivery.event == "resolved";
    let status = if resolved { "resolved" } else { "firing" };
    let labels = crate::http::alertmanager_labels(alert);
    let annotations = crate::http::alertmanager_annotations(alert);
    let starts = alert.firing_since.unwrap_or(alert.pending_since);
    let ends = if resolved {
        rfc3339(alert.resolved_at.unwrap_or_else(Utc::now))
    } else {
        "0001-01-01T00:00:00Z".to_owned()
    };
    json!({
        "version": "4",
        "groupKey": format!("{{}}:{{alertname=\"{}\", service=\"{}\"}}", alert.rule, alert.service),
        "truncatedAlerts": 0,
        "status": status,
        "receiver": delivery.target_name,
        "groupLabels": { "alertname": alert.rule },
        "commonLabels": labels,
        "commonAnnotations": annotations,
        "externalURL": "",
        "alerts": [{
            "status": status,
            "labels": labels,
            "annotations": annotations,
            "startsAt": rfc3339(starts),
            "endsAt": ends,
            "generatorURL": format!("/alerts?show=all#alert-{}", alert.id),
            "fingerprint": format!("{:016x}", alert.id),
        }],
    })
}

/// Watchpost's own event: what happened, and the alert as the API shows it.
fn generic(delivery: &Delivery, alert: &Alert) -> Value {
    json!({
        "event": delivery.event,
        "alert": {
            "id": alert.id,
            "rule": alert.rule,
            "kind": alert.kind.as_str(),
            "service": alert.service,
            "severity": alert.severity.as_str(),
            "state": alert.state.as_str(),
            "value": alert.value,
            "threshold": alert.threshold,
            "since": rfc3339(alert.firing_since.unwrap_or(alert.pending_since)),
            "resolved_at": alert.resolved_at.map(rfc3339),
            "acknowledged_by": alert.acknowledged_by,
            "acknowledged_at": alert.acknowledged_at.map(rfc3339),
            "comment": alert.ack_comment,
            "runbook_url": alert.runbook_url,
        },
    })
}

/// The reminder that a silence is about to end (JSON targets only:
/// Alertmanager's format has no such message).
fn silence_reminder(silence: &Silence) -> Value {
    json!({
        "event": "silence_expiring",
        "silence": {
            "id": silence.id,
            "matchers": silence.matchers_text(),
            "starts_at": rfc3339(silence.starts_at),
            "ends_at": silence.ends_at.map(rfc3339),
            "comment": silence.comment,
            "created_by": silence.created_by,
            "muting": silence.muting,
            "url": format!("/alerts#silence-{}", silence.id),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(20), Duration::from_secs(300));
    }
}
