//! Data for the service map page.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::map::ServiceMap;
use crate::model::trace::TraceSummary;

/// Traces listed for a clicked edge.
#[cfg(feature = "ssr")]
const EDGE_TRACES: usize = 12;

/// Every node and edge with traffic in the window, each node's health
/// merged from what is known (for now: its error rate).
#[server(prefix = "/rpc", endpoint = "service_map")]
pub async fn fetch_service_map(window: String) -> Result<ServiceMap, AppError> {
    let db = crate::state::app_state()?.db;
    let (start, end) = super::window_ns(&window);
    let services = db.service_red(start, end, 1).await?;
    let edges = db.edges(start, end).await?;
    let namespaces = db.service_namespaces().await?;
    let mut map = assemble::service_map((end - start) as f64 / 1e9, services, edges, &namespaces);
    assemble::merge_checks(&mut map, &db.checks().await?);
    Ok(map)
}

/// The traces that crossed the edge `caller` → `callee`, failing first.
#[server(prefix = "/rpc", endpoint = "edge_traces")]
pub async fn fetch_edge_traces(
    caller: String,
    callee: crate::model::map::NodeRef,
    window: String,
) -> Result<Vec<TraceSummary>, AppError> {
    let db = crate::state::app_state()?.db;
    let (start, end) = super::window_ns(&window);
    let ids = db
        .edge_trace_ids(&caller, &callee, start, end, EDGE_TRACES)
        .await?;
    let traces = db.load_traces(&ids).await?;
    Ok(traces.iter().map(TraceSummary::of).collect())
}

#[cfg(feature = "ssr")]
mod assemble {
    use std::collections::{BTreeMap, HashMap};

    use crate::model::map::{EdgeFigures, MapNode, NodeHealth, NodeKind, NodeRef, ServiceMap};
    use crate::model::red::{RedFigures, ServiceRed};

    /// Each active check's state joins the health of its service's node;
    /// a reported dependency that is down makes the node degraded.
    pub fn merge_checks(map: &mut ServiceMap, checks: &[crate::model::check::CheckRecord]) {
        for check in checks.iter().filter(|c| !c.spec.paused) {
            let node = map
                .nodes
                .iter_mut()
                .find(|n| n.node.kind == NodeKind::Service && n.node.name == check.spec.service);
            if let Some(node) = node {
                let (state, reason) = check.service_state();
                node.health
                    .merge_check(&check.spec.name, state, reason.as_deref());
            }
        }
    }

    /// Services with their own figures, plus every node that only appears
    /// as a callee (virtual nodes, or services silent in this window) with
    /// the calls into it.
    pub fn service_map(
        window_seconds: f64,
        services: Vec<ServiceRed>,
        edges: Vec<EdgeFigures>,
        namespaces: &HashMap<String, String>,
    ) -> ServiceMap {
        let mut nodes: BTreeMap<NodeRef, RedFigures> = services
            .into_iter()
            .map(|s| {
                (
                    NodeRef {
                        name: s.name,
                        kind: NodeKind::Service,
                    },
                    s.figures,
                )
            })
            .collect();
        let mut incoming: BTreeMap<NodeRef, RedFigures> = BTreeMap::new();
        for edge in &edges {
            nodes
                .entry(NodeRef {
                    name: edge.caller.clone(),
                    kind: NodeKind::Service,
                })
                .or_default();
            let into = incoming.entry(edge.callee.clone()).or_default();
            into.requests += edge.client.requests;
            into.errors += edge.client.errors;
            into.duration_sum_ns += edge.client.duration_sum_ns;
            // Percentiles do not add up; the busiest edge's stand in.
            if into.p95_ns.is_none() || edge.client.requests * 2 > into.requests {
                into.p50_ns = edge.client.p50_ns;
                into.p95_ns = edge.client.p95_ns;
                into.p99_ns = edge.client.p99_ns;
            }
        }
        for (node, figures) in incoming {
            nodes.entry(node).or_insert(figures);
        }
        let nodes = nodes
            .into_iter()
            .map(|(node, figures)| MapNode {
                namespace: namespaces.get(&node.name).cloned(),
                health: NodeHealth::from_error_rate(&figures),
                node,
                figures,
            })
            .collect();
        ServiceMap {
            window_seconds,
            nodes,
            edges,
        }
    }
}
