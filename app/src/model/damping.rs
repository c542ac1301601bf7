//! Flap damping: a check's state follows its results only after enough of
//! them in a row agree (`failure_threshold` for a bad state,
//! `success_threshold` for healthy), so one lost packet does not page
//! anyone and one lucky probe does not clear an outage.

use crate::model::check::CheckState;

/// Where a check stands between results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Damped {
    pub state: CheckState,
    /// The state the latest results agree on, and how many in a row.
    pub streak_state: CheckState,
    pub streak: u32,
}

impl Damped {
    pub fn new() -> Damped {
        Damped {
            state: CheckState::Pending,
            streak_state: CheckState::Pending,
            streak: 0,
        }
    }

    /// Takes in one result; returns the new standing and, when the state
    /// changed, the state it left.
    pub fn observe(
        self,
        result: CheckState,
        failure_threshold: u32,
        success_threshold: u32,
    ) -> (Damped, Option<CheckState>) {
        let streak = if result == self.streak_state {
            self.streak.saturating_add(1)
        } else {
            1
        };
        let needed = if result == CheckState::Healthy {
            success_threshold
        } else {
            failure_threshold
        };
        // A new check takes its first result at once: "pending" says
        // nothing, so there is nothing to damp.
        let settles = self.state == CheckState::Pending || streak >= needed.max(1);
        let next = Damped {
            state: if settles { result } else { self.state },
            streak_state: result,
            streak,
        };
        let left = (next.state != self.state).then_some(self.state);
        (next, left)
    }
}

impl Default for Damped {
    fn default() -> Self {
        Damped::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CheckState::{Degraded, Healthy, Pending, Unhealthy, Unreachable};

    /// Feeds `results` with thresholds (3 bad, 2 good) and returns the
    /// state after each and the changes made.
    fn run(results: &[CheckState]) -> (Vec<CheckState>, Vec<(CheckState, CheckState)>) {
        let mut damped = Damped::new();
        let mut states = Vec::new();
        let mut changes = Vec::new();
        for &result in results {
            let (next, left) = damped.observe(result, 3, 2);
            if let Some(from) = left {
                changes.push((from, next.state));
            }
            damped = next;
            states.push(damped.state);
        }
        (states, changes)
    }

    #[test]
    fn the_first_result_settles_a_new_check() {
        assert_eq!(run(&[Healthy]).0, [Healthy]);
        assert_eq!(run(&[Unreachable]).0, [Unreachable]);
        assert_eq!(run(&[Healthy]).1, [(Pending, Healthy)]);
    }

    #[test]
    fn a_bad_state_needs_failure_threshold_results_in_a_row() {
        let (states, changes) = run(&[Healthy, Unhealthy, Unhealthy, Unhealthy]);
        assert_eq!(states, [Healthy, Healthy, Healthy, Unhealthy]);
        assert_eq!(changes, [(Pending, Healthy), (Healthy, Unhealthy)]);
    }

    #[test]
    fn a_single_good_result_in_between_resets_the_count() {
        let (states, _) = run(&[Healthy, Unhealthy, Unhealthy, Healthy, Unhealthy, Unhealthy]);
        assert!(states.iter().all(|s| *s == Healthy), "{states:?}");
    }

    #[test]
    fn recovery_needs_success_threshold_results() {
        let (states, changes) = run(&[Unreachable, Healthy, Healthy, Healthy]);
        assert_eq!(states, [Unreachable, Unreachable, Healthy, Healthy]);
        assert_eq!(changes.last(), Some(&(Unreachable, Healthy)));
    }

    #[test]
    fn flapping_never_changes_the_state() {
        let flapping: Vec<CheckState> = (0..20)
            .map(|i| if i % 2 == 0 { Healthy } else { Unhealthy })
            .collect();
        let (states, changes) = run(&flapping);
        assert!(states.iter().all(|s| *s == Healthy));
        assert_eq!(changes.len(), 1, "only pending → healthy");
    }

    #[test]
    fn moving_between_bad_states_is_damped_too() {
        let (states, _) = run(&[Unhealthy, Degraded, Degraded, Degraded]);
        assert_eq!(states, [Unhealthy, Unhealthy, Unhealthy, Degraded]);
    }

    #[test]
    fn thresholds_of_one_follow_every_result() {
        let mut damped = Damped::new();
        for result in [Healthy, Unhealthy, Healthy, Degraded] {
            damped = damped.observe(result, 1, 1).0;
            assert_eq!(damped.state, result);
        }
    }
}
