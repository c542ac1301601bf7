use std::sync::Arc;
use std::time::{Duration, Instant};

use app::model::map::{NodeKind, NodeRef};

use super::*;
use crate::map::facts::{CalleeFact, CallerFact, Facts};

const MINUTE: i64 = 60_000_000_000;

fn key(trace: u8, span: u8) -> SpanKey {
    ([trace; 16], [span; 8])
}

fn caller(service: &str, span: SpanKey, peer: Option<NodeRef>) -> CallerFact {
    CallerFact {
        key: span,
        service: Arc::from(service),
        start_ns: 10 * MINUTE + 5,
        duration_ns: 2_000_000,
        error: false,
        asynchronous: false,
        peer,
    }
}

fn callee(service: &str, caller: SpanKey) -> CalleeFact {
    CalleeFact {
        caller,
        service: Arc::from(service),
        duration_ns: 1_500_000,
        error: false,
        asynchronous: false,
    }
}

fn facts(callers: Vec<CallerFact>, callees: Vec<CalleeFact>) -> Facts {
    Facts { callers, callees }
}

/// (caller, callee, kind, asynchronous, calls, errors, server calls)
fn edges(matcher: &mut EdgeMatcher) -> Vec<(String, String, NodeKind, bool, i64, i64, i64)> {
    matcher
        .take_rollups()
        .into_iter()
        .map(|r| {
            (
                r.caller,
                r.callee,
                NodeKind::from_i16(r.callee_kind),
                r.asynchronous,
                r.calls,
                r.errors,
                r.server_calls,
            )
        })
        .collect()
}

fn edge(caller: &str, callee: &str, calls: i64) -> (String, String, NodeKind, bool, i64, i64, i64) {
    (
        caller.into(),
        callee.into(),
        NodeKind::Service,
        false,
        calls,
        0,
        calls,
    )
}

#[test]
fn a_client_and_its_server_child_in_one_batch_make_a_sync_edge() {
    let mut matcher = EdgeMatcher::new(MatcherSettings::default());
    let now = Instant::now();
    matcher.observe(
        facts(
            vec![
                caller("gateway", key(1, 1), None),
                caller("gateway", key(2, 1), None),
            ],
            vec![callee("users", key(1, 1)), callee("users", key(2, 1))],
        ),
        now,
    );
    assert_eq!(edges(&mut matcher), vec![edge("gateway", "users", 2)]);
    assert_eq!(matcher.pending(), 0);
    assert_eq!(matcher.counts.matched, 2);
}

#[test]
fn both_durations_are_kept_and_errors_on_either_side_count() {
    let mut matcher = EdgeMatcher::new(MatcherSettings::default());
    let mut failing = callee("users", key(1, 1));
    failing.error = true;
    matcher.observe(
        facts(vec![caller("gateway", key(1, 1), None)], vec![failing]),
        Instant::now(),
    );
    let rollup = &matcher.take_rollups()[0];
    assert_eq!(rollup.errors, 1);
    assert_eq!(rollup.client_duration_sum_ns, 2_000_000);
    assert_eq!(rollup.server_duration_sum_ns, 1_500_000);
    assert_eq!(rollup.minute_ns, 10 * MINUTE);
    assert_eq!(rollup.client_durations.count(), 1);
    assert_eq!(rollup.server_durations.count(), 1);
}

#[test]
fn a_parent_in_a_later_batch_than_its_child_still_links() {
    let mut matcher = EdgeMatcher::new(MatcherSettings::default());
    let start = Instant::now();
    matcher.observe(facts(vec![], vec![callee("orders", key(3, 7))]), start);
    assert_eq!(matcher.pending(), 1);
    matcher.observe(
        facts(vec![caller("gateway", key(3, 7), None)], vec![]),
        start + Duration::from_secs(30),
    );
    assert_eq!(edges(&mut matcher), vec![edge("gateway", "orders", 1)]);
    // And the other way round: the caller first.
    matcher.observe(
        facts(vec![caller("orders", key(4, 1), None)], vec![]),
        start,
    );
    matcher.observe(facts(vec![], vec![callee("payments", key(4, 1))]), start);
    assert_eq!(edges(&mut matcher), vec![edge("orders", "payments", 1)]);
}

#[test]
fn producer_and_consumer_make_an_async_edge() {
    let mut matcher = EdgeMatcher::new(MatcherSettings::default());
    let mut producer = caller("orders", key(5, 1), None);
    producer.asynchronous = true;
    let mut consumer = callee("notifications", key(5, 1));
    consumer.asynchronous = true;
    matcher.observe(facts(vec![producer], vec![consumer]), Instant::now());
    let found = edges(&mut matcher);
    assert_eq!(found.len(), 1);
    assert!(found[0].3, "asynchronous");
}

#[test]
fn a_client_nobody_answers_becomes_an_edge_to_its_peer_after_the_grace() {
    let mut matcher = EdgeMatcher::new(MatcherSettings::default());
    let start = Instant::now();
    let database = NodeRef {
        name: "postgresql orders".into(),
        kind: NodeKind::Database,
    };
    matcher.observe(
        facts(
            vec![
                caller("orders", key(6, 1), Some(database)),
                caller("orders", key(6, 2), None),
            ],
            vec![],
        ),
        start,
    );
    matcher.expire(start + Duration::from_secs(59));
    assert!(matcher.take_rollups().is_empty(), "still within the grace");
    matcher.expire(start + Duration::from_secs(61));
    assert_eq!(
        edges(&mut matcher),
        vec![(
            "orders".into(),
            "postgresql orders".into(),
            NodeKind::Database,
            false,
            1,
            0,
            0
        )]
    );
    assert_eq!(matcher.counts.virtual_calls, 1);
    assert_eq!(
        matcher.counts.unmatched_callers, 1,
        "no peer: dropped, counted"
    );
    assert_eq!(matcher.pending(), 0);
}

#[test]
fn a_self_call_is_an_edge_to_itself() {
    let mut matcher = EdgeMatcher::new(MatcherSettings::default());
    matcher.observe(
        facts(
            vec![caller("users", key(7, 1), None)],
            vec![callee("users", key(7, 1))],
        ),
        Instant::now(),
    );
    assert_eq!(edges(&mut matcher), vec![edge("users", "users", 1)]);
}

#[test]
fn servers_whose_parent_never_arrives_expire_without_an_edge() {
    let mut matcher = EdgeMatcher::new(MatcherSettings::default());
    let start = Instant::now();
    matcher.observe(facts(vec![], vec![callee("users", key(8, 1))]), start);
    matcher.expire(start + Duration::from_secs(299));
    assert_eq!(matcher.pending(), 1);
    matcher.expire(start + Duration::from_secs(300));
    assert_eq!(matcher.pending(), 0);
    assert_eq!(matcher.counts.unmatched_callees, 1);
    assert!(matcher.take_rollups().is_empty());
}

#[test]
fn a_cycle_gives_one_edge_each_way() {
    let mut matcher = EdgeMatcher::new(MatcherSettings::default());
    matcher.observe(
        facts(
            vec![caller("a", key(9, 1), None), caller("b", key(9, 2), None)],
            vec![callee("b", key(9, 1)), callee("a", key(9, 2))],
        ),
        Instant::now(),
    );
    assert_eq!(
        edges(&mut matcher),
        vec![edge("a", "b", 1), edge("b", "a", 1)]
    );
}

#[test]
fn a_full_matcher_drops_and_counts_instead_of_growing() {
    let settings = MatcherSettings {
        max_pending: 2,
        ..MatcherSettings::default()
    };
    let mut matcher = EdgeMatcher::new(settings);
    let orphans = (0..5).map(|n| callee("users", key(10, n))).collect();
    matcher.observe(facts(vec![], orphans), Instant::now());
    assert_eq!(matcher.pending(), 2);
    assert_eq!(matcher.counts.dropped_full, 3);
}
