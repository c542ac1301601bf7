//! The journeys as spans: whole trees, and the incidents' marks on them.

use super::*;
use crate::demo::scenario::PAYMENT_FAILURE_RATIO;

const CALM: Conditions = Conditions {
    payment_failure_ratio: BACKGROUND_FAILURE_RATIO,
    orders_slow: false,
    notification_memory: 0.5,
    database_down: false,
};
const NOW: u64 = 1_800_000_000_000_000_000;

fn traces(conditions: &Conditions, count: usize) -> Vec<Vec<(&'static str, Span)>> {
    let mut maker = TraceMaker::new(3);
    (0..count).map(|_| maker.trace(conditions, NOW)).collect()
}

#[test]
fn traces_are_whole_trees_that_reach_every_service_and_both_stores() {
    let all = traces(&CALM, 200);
    let mut services: Vec<&str> = all.iter().flatten().map(|(s, _)| *s).collect();
    services.sort_unstable();
    services.dedup();
    assert_eq!(services.len(), SERVICES.len(), "{services:?}");
    for trace in &all {
        let ids: Vec<&Vec<u8>> = trace.iter().map(|(_, s)| &s.span_id).collect();
        let roots = trace.iter().filter(|(_, s)| s.parent_span_id.is_empty());
        assert_eq!(roots.count(), 1);
        for (_, span) in trace {
            assert!(span.parent_span_id.is_empty() || ids.contains(&&span.parent_span_id));
            assert!(span.end_time_unix_nano <= NOW);
        }
    }
    let systems: Vec<&str> = all
        .iter()
        .flatten()
        .flat_map(|(_, s)| &s.attributes)
        .filter(|kv| kv.key == "db.system")
        .filter_map(|kv| match &kv.value.as_ref()?.value {
            Some(Value::StringValue(v)) => Some(v.as_str()),
            _ => None,
        })
        .collect();
    assert!(systems.contains(&"postgresql") && systems.contains(&"redis"));
}

#[test]
fn payment_failures_reach_the_gateway_and_slow_orders_slow_it_too() {
    let bad = Conditions {
        payment_failure_ratio: PAYMENT_FAILURE_RATIO,
        orders_slow: true,
        ..CALM
    };
    let all = traces(&bad, 400);
    let payments: Vec<&Span> = all
        .iter()
        .flatten()
        .filter(|(s, span)| *s == "payment-service" && span.kind == SpanKind::Server as i32)
        .map(|(_, span)| span)
        .collect();
    let failed = payments
        .iter()
        .filter(|s| s.status.as_ref().is_some_and(|st| st.code == 2))
        .count();
    let ratio = failed as f64 / payments.len() as f64;
    assert!((0.2..0.4).contains(&ratio), "{ratio}");
    let slow_roots = all
        .iter()
        .filter(|t| t.iter().any(|(s, _)| *s == "order-service"))
        .filter_map(|t| t.iter().find(|(_, s)| s.parent_span_id.is_empty()))
        .filter(|(_, s)| s.end_time_unix_nano - s.start_time_unix_nano > 2_000_000_000)
        .count();
    assert!(slow_roots > 100, "{slow_roots}");
    let calm_failures = traces(&CALM, 400)
        .iter()
        .flatten()
        .filter(|(_, s)| s.status.as_ref().is_some_and(|st| st.code == 2))
        .count();
    assert!(calm_failures < 20, "{calm_failures}");
}

#[test]
fn each_service_calls_whom_its_journeys_say() {
    assert_eq!(
        callees("api-gateway"),
        ["auth-service", "user-service", "order-service"]
    );
    assert_eq!(
        callees("order-service"),
        [
            "database-service",
            "payment-service",
            "notification-service",
            "redis"
        ]
    );
    assert_eq!(callees("database-service"), ["postgresql"]);
    assert!(callees("notification-service") == ["redis"]);
}
