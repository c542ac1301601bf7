//! A rule's preview: the evaluator's own measurements at each step of the
//! last hours, fed through the same `decide`, so the preview shows what the
//! rule would really have done.

use std::collections::BTreeMap;

use app::model::alert::{AlertRule, AlertState, RuleKind};
use app::model::rule_preview::{Episode, PreviewSeries, RulePreview};
use app::storage::alerts::{AlertChange, OpenAlert};
use app::storage::{Database, StorageError};
use chrono::{DateTime, Utc};

use super::evaluate::{decide, fingerprint};
use super::measure::Measurements;

/// How far back a preview looks, and how often it measures.
pub const PREVIEW_SPAN: chrono::Duration = chrono::Duration::hours(6);
pub const PREVIEW_STEP: chrono::Duration = chrono::Duration::minutes(5);
/// Services shown at most, those that would have fired first.
const MAX_SERIES: usize = 40;

/// One service's simulated alert.
#[derive(Default)]
struct Simulated {
    values: Vec<Option<f64>>,
    episodes: Vec<Episode>,
    open: Option<OpenAlert>,
}

impl Simulated {
    fn apply(&mut self, change: Option<AlertChange>, at: DateTime<Utc>) {
        match change {
            Some(AlertChange::Open {
                fingerprint, state, ..
            }) => {
                self.open = Some(OpenAlert {
                    id: 0,
                    fingerprint,
                    state: state.as_str().to_owned(),
                    pending_since: at,
                });
                self.episodes.push(Episode {
                    pending_at: at,
                    firing_at: (state == AlertState::Firing).then_some(at),
                    resolved_at: None,
                });
            }
            Some(AlertChange::Move { to, .. }) => {
                let episode = self.episodes.last_mut();
                if to == AlertState::Resolved {
                    self.open = None;
                    if let Some(episode) = episode {
                        episode.resolved_at = Some(at);
                    }
                } else {
                    if let Some(open) = &mut self.open {
                        open.state = to.as_str().to_owned();
                    }
                    if let Some(episode) = episode {
                        episode.firing_at = Some(at);
                    }
                }
            }
            Some(AlertChange::Confirm { .. }) | None => {}
        }
    }
}

/// What `rule` would have done over the `PREVIEW_SPAN` before `now`.
pub async fn preview(
    db: &Database,
    rule: &AlertRule,
    now: DateTime<Utc>,
) -> Result<RulePreview, StorageError> {
    let from = now - PREVIEW_SPAN;
    let step_secs = PREVIEW_STEP.num_seconds();
    if rule.kind == RuleKind::Check {
        return Ok(RulePreview {
            from,
            step_secs,
            series: Vec::new(),
            note: Some(
                "Health-check rules follow each check's current state, so there is no past \
                 to replay; the Health page has every check's history."
                    .to_owned(),
            ),
        });
    }
    let steps = PREVIEW_SPAN.num_seconds() / step_secs + 1;
    let mut services: BTreeMap<String, Simulated> = BTreeMap::new();
    for step in 0..steps {
        let at = from + PREVIEW_STEP * i32::try_from(step).unwrap_or(0);
        let measured: BTreeMap<String, f64> = Measurements::new(db, at)
            .of(rule)
            .await?
            .into_iter()
            .filter(|(service, _)| rule.watches(service))
            .collect();
        for service in measured.keys() {
            services.entry(service.clone()).or_default();
        }
        let index = usize::try_from(step).unwrap_or(0);
        for (service, simulated) in &mut services {
            let value = measured.get(service).copied();
            simulated.values.resize(index, None);
            simulated.values.push(value);
            let change = decide(
                rule,
                service,
                simulated.open.as_ref(),
                value,
                at,
                fingerprint(rule.id, service),
            );
            simulated.apply(change, at);
        }
    }
    let mut series: Vec<PreviewSeries> = services
        .into_iter()
        .map(|(service, simulated)| PreviewSeries {
            service,
            values: simulated.values,
            episodes: simulated.episodes,
        })
        .collect();
    // Those that would have fired most first; then by name.
    series.sort_by_key(|s| std::cmp::Reverse(s.episodes.iter().filter(|e| e.fired()).count()));
    let note = (series.len() > MAX_SERIES).then(|| {
        format!(
            "Showing {MAX_SERIES} of {} services: those that would have fired most.",
            series.len()
        )
    });
    series.truncate(MAX_SERIES);
    Ok(RulePreview {
        from,
        step_secs,
        series,
        note,
    })
}

/// The preview as the app's server functions call it (`AppState`).
pub fn boxed(
    db: Database,
    rule: AlertRule,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<RulePreview, StorageError>> + Send>>
{
    Box::pin(async move { preview(&db, &rule, Utc::now()).await })
}
