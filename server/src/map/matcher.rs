//! Pairs callers with callees as their spans arrive, in any order and in
//! any batches, and rolls matched calls up per minute.
//!
//! A caller waits up to `caller_grace` for its callee; then, if its span
//! names a peer (a database, an external API), the call counts as an edge to
//! that virtual node, otherwise it is dropped. A callee waits up to
//! `callee_window` for its caller. Nothing is ever looked up in the stored
//! spans: the cost is per span, once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::model::map::{NodeKind, NodeRef};
use app::storage::edges::EdgeRollup;
use app::storage::spans::minute_of;

use super::facts::{CalleeFact, CallerFact, Facts, SpanKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatcherSettings {
    pub caller_grace: Duration,
    pub callee_window: Duration,
    /// Waiting callers plus callees at most; past it new ones are dropped
    /// (and counted), so a flood of orphans cannot exhaust memory.
    pub max_pending: usize,
}

impl Default for MatcherSettings {
    fn default() -> Self {
        MatcherSettings {
            caller_grace: Duration::from_secs(60),
            callee_window: Duration::from_secs(300),
            max_pending: 1_000_000,
        }
    }
}

/// What happened to the spans the matcher saw, for `/metrics` and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatcherCounts {
    pub matched: u64,
    pub virtual_calls: u64,
    pub unmatched_callers: u64,
    pub unmatched_callees: u64,
    pub dropped_full: u64,
    /// Handed to the other replicas through the database.
    pub shared: u64,
}

impl MatcherCounts {
    pub fn absorb(&mut self, other: &MatcherCounts) {
        self.matched += other.matched;
        self.virtual_calls += other.virtual_calls;
        self.unmatched_callers += other.unmatched_callers;
        self.unmatched_callees += other.unmatched_callees;
        self.dropped_full += other.dropped_full;
        self.shared += other.shared;
    }
}

/// A fact taken out to be shared with other replicas.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitingFact {
    Caller(CallerFact),
    Callee(CalleeFact),
}

struct Waiting<T> {
    fact: T,
    since: Instant,
}

/// (minute, caller, callee, asynchronous)
type EdgeMinute = (i64, Arc<str>, NodeRef, bool);

pub struct EdgeMatcher {
    settings: MatcherSettings,
    callers: HashMap<SpanKey, Waiting<CallerFact>>,
    callees: HashMap<SpanKey, Waiting<CalleeFact>>,
    rollups: HashMap<EdgeMinute, EdgeRollup>,
    pub counts: MatcherCounts,
}

impl EdgeMatcher {
    pub fn new(settings: MatcherSettings) -> EdgeMatcher {
        EdgeMatcher {
            settings,
            callers: HashMap::new(),
            callees: HashMap::new(),
            rollups: HashMap::new(),
            counts: MatcherCounts::default(),
        }
    }

    /// Spans waiting for their other half.
    pub fn pending(&self) -> usize {
        self.callers.len() + self.callees.len()
    }

    /// Takes in the facts of a written batch. Callees go first so that a
    /// caller and its callee in the same batch meet at once.
    pub fn observe(&mut self, facts: Facts, now: Instant) {
        for callee in facts.callees {
            match self.callers.remove(&callee.caller) {
                Some(caller) => self.record(&caller.fact, Some(&callee)),
                None => self.wait_callee(callee, now),
            }
        }
        for caller in facts.callers {
            match self.callees.remove(&caller.key) {
                Some(callee) => self.record(&caller, Some(&callee.fact)),
                None => self.wait_caller(caller, now),
            }
        }
    }

    fn wait_callee(&mut self, callee: CalleeFact, now: Instant) {
        if self.pending() >= self.settings.max_pending {
            self.counts.dropped_full += 1;
            return;
        }
        let key = callee.caller;
        self.callees.entry(key).or_insert(Waiting {
            fact: callee,
            since: now,
        });
    }

    fn wait_caller(&mut self, caller: CallerFact, now: Instant) {
        if self.pending() >= self.settings.max_pending {
            self.counts.dropped_full += 1;
            return;
        }
        self.callers.insert(
            caller.key,
            Waiting {
                fact: caller,
                since: now,
            },
        );
    }

    /// Resolves whatever has waited too long.
    pub fn expire(&mut self, now: Instant) {
        let grace = self.settings.caller_grace;
        let expired: Vec<SpanKey> = self
            .callers
            .iter()
            .filter(|(_, waiting)| now.duration_since(waiting.since) >= grace)
            .map(|(key, _)| *key)
            .collect();
        for key in expired {
            if let Some(caller) = self.callers.remove(&key) {
                if caller.fact.peer.is_some() {
                    self.record(&caller.fact, None);
                } else {
                    self.counts.unmatched_callers += 1;
                }
            }
        }
        let window = self.settings.callee_window;
        let before = self.callees.len();
        self.callees
            .retain(|_, waiting| now.duration_since(waiting.since) < window);
        self.counts.unmatched_callees += (before - self.callees.len()) as u64;
    }

    /// Takes out every fact that has waited at least `waited`, with how long
    /// it has waited.
    pub fn take_waiting(&mut self, waited: Duration, now: Instant) -> Vec<(WaitingFact, Duration)> {
        let old_enough = |since: Instant| now.saturating_duration_since(since) >= waited;
        let callers = self
            .callers
            .extract_if(|_, w| old_enough(w.since))
            .map(|(_, w)| {
                (
                    WaitingFact::Caller(w.fact),
                    now.saturating_duration_since(w.since),
                )
            });
        let mut taken: Vec<_> = callers.collect();
        taken.extend(
            self.callees
                .extract_if(|_, w| old_enough(w.since))
                .map(|(_, w)| {
                    (
                        WaitingFact::Callee(w.fact),
                        now.saturating_duration_since(w.since),
                    )
                }),
        );
        taken
    }

    /// Puts back facts that could not be shared, keeping their age.
    pub fn put_back(&mut self, facts: Vec<(WaitingFact, Duration)>, now: Instant) {
        for (fact, waited) in facts {
            let since = now.checked_sub(waited).unwrap_or(now);
            match fact {
                WaitingFact::Caller(fact) => {
                    self.callers.insert(fact.key, Waiting { fact, since });
                }
                WaitingFact::Callee(fact) => {
                    self.callees.insert(fact.caller, Waiting { fact, since });
                }
            }
        }
    }

    /// The rollups gathered since the last call.
    pub fn take_rollups(&mut self) -> Vec<EdgeRollup> {
        let mut rollups: Vec<EdgeRollup> = self.rollups.drain().map(|(_, r)| r).collect();
        rollups.sort_by(|a, b| {
            (a.minute_ns, &a.caller, &a.callee).cmp(&(b.minute_ns, &b.caller, &b.callee))
        });
        rollups
    }

    /// Puts back rollups that could not be written.
    pub fn restore(&mut self, rollups: Vec<EdgeRollup>) {
        for rollup in rollups {
            let key = (
                rollup.minute_ns,
                Arc::from(rollup.caller.as_str()),
                NodeRef {
                    name: rollup.callee.clone(),
                    kind: NodeKind::from_i16(rollup.callee_kind),
                },
                rollup.asynchronous,
            );
            self.rollups
                .entry(key)
                .and_modify(|existing| existing.absorb(&rollup))
                .or_insert(rollup);
        }
    }

    /// One call: to the callee's service when its span is known, else to
    /// the caller's peer.
    fn record(&mut self, caller: &CallerFact, callee: Option<&CalleeFact>) {
        let target = match (callee, &caller.peer) {
            (Some(callee), _) => NodeRef {
                name: callee.service.to_string(),
                kind: NodeKind::Service,
            },
            (None, Some(peer)) => peer.clone(),
            (None, None) => return,
        };
        if callee.is_some() {
            self.counts.matched += 1;
        } else {
            self.counts.virtual_calls += 1;
        }
        let asynchronous = caller.asynchronous || callee.is_some_and(|c| c.asynchronous);
        let key = (
            minute_of(caller.start_ns),
            caller.service.clone(),
            target.clone(),
            asynchronous,
        );
        let rollup = self.rollups.entry(key).or_insert_with(|| EdgeRollup {
            minute_ns: minute_of(caller.start_ns),
            caller: caller.service.to_string(),
            callee: target.name.clone(),
            callee_kind: target.kind as i16,
            asynchronous,
            ..EdgeRollup::default()
        });
        rollup.calls += 1;
        rollup.errors += i64::from(caller.error || callee.is_some_and(|c| c.error));
        rollup.client_duration_sum_ns = rollup
            .client_duration_sum_ns
            .saturating_add(caller.duration_ns.max(0));
        rollup.client_durations.record(caller.duration_ns);
        if let Some(callee) = callee {
            rollup.server_calls += 1;
            rollup.server_duration_sum_ns = rollup
                .server_duration_sum_ns
                .saturating_add(callee.duration_ns.max(0));
            rollup.server_durations.record(callee.duration_ns);
        }
    }
}

#[cfg(test)]
#[path = "matcher_tests.rs"]
mod tests;
