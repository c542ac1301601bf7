//! Pairing across replicas. Behind a load balancer, a client span and the
//! server span answering it are often ingested by different servers, so a
//! fact that found no partner in memory for a few seconds is written to the
//! database, and any replica pairs the shared facts there.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::storage::edges::{EdgeRollup, PendingEdgeFact};

use super::facts::{CalleeFact, CallerFact, Facts};
use super::matcher::{EdgeMatcher, MatcherCounts, MatcherSettings, WaitingFact};

/// The row for a fact that began waiting `waited` before `now_ms`.
pub fn to_pending(fact: &WaitingFact, waited: Duration, now_ms: i64) -> PendingEdgeFact {
    let waiting_since_ms = now_ms - i64::try_from(waited.as_millis()).unwrap_or(i64::MAX);
    match fact {
        WaitingFact::Caller(caller) => PendingEdgeFact {
            trace_id: caller.key.0,
            span_id: caller.key.1,
            is_caller: true,
            service: caller.service.to_string(),
            start_ns: caller.start_ns,
            duration_ns: caller.duration_ns,
            error: caller.error,
            asynchronous: caller.asynchronous,
            peer: caller.peer.clone(),
            waiting_since_ms,
        },
        WaitingFact::Callee(callee) => PendingEdgeFact {
            trace_id: callee.caller.0,
            span_id: callee.caller.1,
            is_caller: false,
            service: callee.service.to_string(),
            start_ns: 0,
            duration_ns: callee.duration_ns,
            error: callee.error,
            asynchronous: callee.asynchronous,
            peer: None,
            waiting_since_ms,
        },
    }
}

fn to_facts(rows: Vec<PendingEdgeFact>) -> Facts {
    let mut facts = Facts::default();
    for row in rows {
        let key = (row.trace_id, row.span_id);
        let service: Arc<str> = Arc::from(row.service);
        if row.is_caller {
            facts.callers.push(CallerFact {
                key,
                service,
                start_ns: row.start_ns,
                duration_ns: row.duration_ns,
                error: row.error,
                asynchronous: row.asynchronous,
                peer: row.peer,
            });
        } else {
            facts.callees.push(CalleeFact {
                caller: key,
                service,
                duration_ns: row.duration_ns,
                error: row.error,
                asynchronous: row.asynchronous,
            });
        }
    }
    facts
}

/// Pairs shared facts that the database took out together: each has its
/// partner among them or has waited its full time, so whatever does not
/// pair is resolved now (a virtual call, or unmatched).
pub fn pair(rows: Vec<PendingEdgeFact>) -> (Vec<EdgeRollup>, MatcherCounts) {
    let mut matcher = EdgeMatcher::new(MatcherSettings {
        caller_grace: Duration::ZERO,
        callee_window: Duration::ZERO,
        max_pending: usize::MAX,
    });
    let now = Instant::now();
    matcher.observe(to_facts(rows), now);
    matcher.expire(now);
    (matcher.take_rollups(), matcher.counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::map::{NodeKind, NodeRef};

    fn caller(span: u8, peer: Option<NodeRef>) -> CallerFact {
        CallerFact {
            key: ([7; 16], [span; 8]),
            service: Arc::from("checkout"),
            start_ns: 120_000_000_000,
            duration_ns: 5_000_000,
            error: false,
            asynchronous: false,
            peer,
        }
    }

    fn callee(span: u8) -> CalleeFact {
        CalleeFact {
            caller: ([7; 16], [span; 8]),
            service: Arc::from("payments"),
            duration_ns: 4_000_000,
            error: true,
            asynchronous: false,
        }
    }

    fn shared(facts: Vec<WaitingFact>) -> Vec<PendingEdgeFact> {
        facts
            .iter()
            .map(|f| to_pending(f, Duration::from_secs(3), 10_000))
            .collect()
    }

    #[test]
    fn a_caller_and_callee_shared_by_different_replicas_make_one_call() {
        let rows = shared(vec![
            WaitingFact::Caller(caller(1, None)),
            WaitingFact::Callee(callee(1)),
        ]);
        assert!(rows.iter().all(|r| r.waiting_since_ms == 7_000));
        let (rollups, counts) = pair(rows);
        assert_eq!(counts.matched, 1);
        assert_eq!(rollups.len(), 1);
        let edge = &rollups[0];
        assert_eq!(
            (edge.caller.as_str(), edge.callee.as_str()),
            ("checkout", "payments")
        );
        assert_eq!((edge.calls, edge.errors, edge.server_calls), (1, 1, 1));
        assert_eq!(edge.minute_ns, 120_000_000_000);
    }

    #[test]
    fn expired_shared_callers_go_to_their_peer_or_are_dropped() {
        let database = NodeRef {
            name: "orders-db".to_owned(),
            kind: NodeKind::Database,
        };
        let rows = shared(vec![
            WaitingFact::Caller(caller(1, Some(database))),
            WaitingFact::Caller(caller(2, None)),
            WaitingFact::Callee(callee(3)),
        ]);
        let (rollups, counts) = pair(rows);
        assert_eq!(counts.virtual_calls, 1);
        assert_eq!(counts.unmatched_callers, 1);
        assert_eq!(counts.unmatched_callees, 1);
        assert_eq!(rollups.len(), 1);
        assert_eq!(rollups[0].callee, "orders-db");
        assert_eq!(rollups[0].callee_kind, NodeKind::Database as i16);
    }
}
