use std::collections::BTreeSet;

use super::*;
use crate::model::red::RedFigures;

fn node(name: &str, kind: NodeKind, namespace: Option<&str>) -> MapNode {
    MapNode {
        node: NodeRef {
            name: name.to_owned(),
            kind,
        },
        namespace: namespace.map(str::to_owned),
        figures: RedFigures::default(),
        health: NodeHealth::from_error_rate(&RedFigures::default()),
    }
}

fn edge(caller: &str, callee: &str, kind: NodeKind) -> EdgeFigures {
    EdgeFigures {
        caller: caller.to_owned(),
        callee: NodeRef {
            name: callee.to_owned(),
            kind,
        },
        asynchronous: false,
        client: RedFigures::default(),
        server_calls: 0,
        server_p95_ns: None,
    }
}

/// shop: gateway → orders → (payments in billing) and orders → orders-db;
/// billing: payments → ledger (in core); core: ledger.
fn map() -> ServiceMap {
    ServiceMap {
        window_seconds: 3600.0,
        nodes: vec![
            node("gateway", NodeKind::Service, Some("shop")),
            node("orders", NodeKind::Service, Some("shop")),
            node("payments", NodeKind::Service, Some("billing")),
            node("ledger", NodeKind::Service, Some("core")),
            node("orders-db", NodeKind::Database, None),
        ],
        edges: vec![
            edge("gateway", "orders", NodeKind::Service),
            edge("orders", "payments", NodeKind::Service),
            edge("orders", "orders-db", NodeKind::Database),
            edge("payments", "ledger", NodeKind::Service),
        ],
    }
}

fn ids(map: &ServiceMap) -> Vec<String> {
    map.nodes.iter().map(|n| n.node.id()).collect()
}

#[test]
fn namespaces_are_listed_once_in_order() {
    assert_eq!(map().namespaces(), ["billing", "core", "shop"]);
}

#[test]
fn a_namespace_keeps_its_nodes_and_the_nodes_one_call_away() {
    let only: BTreeSet<String> = ["shop".to_owned()].into();
    let (part, boundary) = map().within_namespaces(&only);
    assert_eq!(
        ids(&part),
        ["gateway", "orders", "payments", "database:orders-db"]
    );
    assert_eq!(
        boundary,
        BTreeSet::from(["payments".to_owned(), "database:orders-db".to_owned()])
    );
    // payments → ledger touches nothing inside shop.
    let edges: Vec<String> = part.edges.iter().map(EdgeFigures::id).collect();
    assert_eq!(
        edges,
        [
            "gateway→orders",
            "orders→payments",
            "orders→database:orders-db"
        ]
    );
}

#[test]
fn two_namespaces_share_their_edges_without_boundary_between_them() {
    let both: BTreeSet<String> = ["billing".to_owned(), "core".to_owned()].into();
    let (part, boundary) = map().within_namespaces(&both);
    assert_eq!(ids(&part), ["orders", "payments", "ledger"]);
    assert_eq!(boundary, BTreeSet::from(["orders".to_owned()]));
    assert_eq!(part.edges.len(), 2);
}

#[test]
fn a_failing_check_turns_a_quiet_node_red_with_its_reason() {
    use crate::model::check::CheckState;
    let mut health = NodeHealth::from_error_rate(&RedFigures::default());
    health.merge_check("orders /health", CheckState::Healthy, None);
    assert_eq!(health.level, HealthLevel::Ok);
    health.merge_check(
        "orders tcp",
        CheckState::Unreachable,
        Some("connection refused"),
    );
    assert_eq!(health.level, HealthLevel::Critical);
    assert_eq!(
        health.reasons.last().unwrap(),
        "check orders tcp is unreachable: connection refused"
    );
    health.merge_check("orders db", CheckState::Degraded, Some("db is slow"));
    assert_eq!(
        health.level,
        HealthLevel::Critical,
        "never better than the worst"
    );
}
