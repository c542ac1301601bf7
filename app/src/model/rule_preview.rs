//! How a rule would have behaved over the last hours: its value per
//! service at each step, and when it would have been pending, firing and
//! resolved. Computed by the evaluator itself (`server::alerts::preview`),
//! so the preview and the real thing cannot disagree.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One alert the rule would have raised on a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Episode {
    pub pending_at: DateTime<Utc>,
    /// None: it cleared before its `for` was over.
    pub firing_at: Option<DateTime<Utc>>,
    /// None: still open at the end of the preview.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl Episode {
    pub fn fired(&self) -> bool {
        self.firing_at.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewSeries {
    pub service: String,
    /// The rule's value at each step; None where there was no data.
    pub values: Vec<Option<f64>>,
    pub episodes: Vec<Episode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulePreview {
    pub from: DateTime<Utc>,
    pub step_secs: i64,
    /// Services with data, the ones that would have fired first.
    pub series: Vec<PreviewSeries>,
    /// Said instead of a preview, or about it.
    pub note: Option<String>,
}

impl RulePreview {
    /// "Would have fired 3 times on 2 services".
    pub fn summary(&self) -> String {
        let fired: usize = self
            .series
            .iter()
            .map(|s| s.episodes.iter().filter(|e| e.fired()).count())
            .sum();
        let services = self
            .series
            .iter()
            .filter(|s| s.episodes.iter().any(Episode::fired))
            .count();
        match fired {
            0 => format!(
                "Would not have fired ({} services measured)",
                self.series.len()
            ),
            1 => "Would have fired once".to_owned(),
            n => format!("Would have fired {n} times on {services} services"),
        }
    }
}
