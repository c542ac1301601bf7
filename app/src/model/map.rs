//! The service map's vocabulary: nodes (services we see spans from, and
//! the uninstrumented things they call) and edges between them.

use serde::{Deserialize, Serialize};

/// What a map node is. Services send spans; the other kinds are "virtual":
/// known only from their callers' client spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NodeKind {
    Service = 0,
    Database = 1,
    Cache = 2,
    Queue = 3,
    External = 4,
}

impl NodeKind {
    pub fn from_i16(value: i16) -> NodeKind {
        match value {
            1 => NodeKind::Database,
            2 => NodeKind::Cache,
            3 => NodeKind::Queue,
            4 => NodeKind::External,
            _ => NodeKind::Service,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NodeKind::Service => "service",
            NodeKind::Database => "database",
            NodeKind::Cache => "cache",
            NodeKind::Queue => "queue",
            NodeKind::External => "external",
        }
    }
}

/// A node a caller's span points at: its name and kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NodeRef {
    pub name: String,
    pub kind: NodeKind,
}

/// One edge of the map over a window: calls from `caller` to `callee`,
/// their errors and latency as the caller saw it (and the callee, where its
/// server spans are known).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdgeFigures {
    pub caller: String,
    pub callee: NodeRef,
    /// Messaging (producer → consumer) rather than a request.
    pub asynchronous: bool,
    /// Calls, errors and client-side latency.
    pub client: super::red::RedFigures,
    /// Calls whose server side is known, and its p95.
    pub server_calls: u64,
    pub server_p95_ns: Option<i64>,
}

/// How a node is doing, merged from every signal there is, with the
/// reasons shown when hovering it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HealthLevel {
    Ok,
    Warning,
    Critical,
}

impl HealthLevel {
    pub fn css_class(self) -> &'static str {
        match self {
            HealthLevel::Ok => "ok",
            HealthLevel::Warning => "warn",
            HealthLevel::Critical => "bad",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeHealth {
    pub level: HealthLevel,
    pub reasons: Vec<String>,
}

/// Error rate at or above which a node or edge is failing: the classic
/// microservice threshold, until alert rules make it configurable.
pub const ERROR_RATE_CRITICAL: f64 = 0.05;
/// Error rate worth a look.
pub const ERROR_RATE_WARNING: f64 = 0.01;

impl NodeHealth {
    /// Health from the error rate of a node's requests (or calls into it).
    pub fn from_error_rate(figures: &super::red::RedFigures) -> NodeHealth {
        let rate = figures.error_fraction();
        let percent = rate * 100.0;
        if figures.requests == 0 {
            return NodeHealth {
                level: HealthLevel::Ok,
                reasons: vec!["no requests in this window".to_owned()],
            };
        }
        let (level, reason) = if rate >= ERROR_RATE_CRITICAL {
            (
                HealthLevel::Critical,
                format!(
                    "error rate {percent:.1}% is at or above {:.0}%",
                    ERROR_RATE_CRITICAL * 100.0
                ),
            )
        } else if rate >= ERROR_RATE_WARNING {
            (
                HealthLevel::Warning,
                format!(
                    "error rate {percent:.1}% is at or above {:.0}%",
                    ERROR_RATE_WARNING * 100.0
                ),
            )
        } else {
            (HealthLevel::Ok, format!("error rate {percent:.2}%"))
        };
        NodeHealth {
            level,
            reasons: vec![reason],
        }
    }
}

impl NodeHealth {
    /// Merges a health check's state: a failing check makes the node red
    /// whatever its traffic says, a degraded one amber, each with its reason.
    pub fn merge_check(
        &mut self,
        check: &str,
        state: super::check::CheckState,
        reason: Option<&str>,
    ) {
        use super::check::CheckState;
        let level = match state {
            CheckState::Unhealthy | CheckState::Unreachable => HealthLevel::Critical,
            CheckState::Degraded => HealthLevel::Warning,
            CheckState::Healthy | CheckState::Pending => HealthLevel::Ok,
        };
        self.level = self.level.max(level);
        let mut text = format!("check {check} is {}", state.as_str());
        if let Some(reason) = reason.filter(|_| level != HealthLevel::Ok) {
            text.push_str(": ");
            text.push_str(reason);
        }
        self.reasons.push(text);
    }
}

/// A node of the map with what the page shows about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapNode {
    pub node: NodeRef,
    pub namespace: Option<String>,
    /// A service's own requests; for a virtual node, the calls into it.
    pub figures: super::red::RedFigures,
    pub health: NodeHealth,
}

/// The whole map for a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceMap {
    pub window_seconds: f64,
    pub nodes: Vec<MapNode>,
    pub edges: Vec<EdgeFigures>,
}

impl NodeRef {
    /// A key unique across kinds: a service and a virtual node may share a
    /// name (`billing` the service, `billing` a `peer.service`).
    pub fn id(&self) -> String {
        match self.kind {
            NodeKind::Service => self.name.clone(),
            kind => format!("{}:{}", kind.label(), self.name),
        }
    }
}

impl EdgeFigures {
    /// `caller→callee-id`, as the map's URL names a selected edge.
    pub fn id(&self) -> String {
        format!("{}→{}", self.caller, self.callee.id())
    }
}

impl ServiceMap {
    /// Every namespace of the map's services, sorted.
    pub fn namespaces(&self) -> Vec<String> {
        let set: std::collections::BTreeSet<&String> = self
            .nodes
            .iter()
            .filter_map(|n| n.namespace.as_ref())
            .collect();
        set.into_iter().cloned().collect()
    }

    /// The part of the map about `namespaces`: their nodes, every node one
    /// call away from them (the boundary, returned by id so the page can
    /// fade it), and the edges that touch a node inside. Figures are not
    /// recomputed: a node and an edge mean the same as on the whole map.
    pub fn within_namespaces(
        &self,
        namespaces: &std::collections::BTreeSet<String>,
    ) -> (ServiceMap, std::collections::BTreeSet<String>) {
        let inside: std::collections::BTreeSet<String> = self
            .nodes
            .iter()
            .filter(|n| {
                n.namespace
                    .as_ref()
                    .is_some_and(|ns| namespaces.contains(ns))
            })
            .map(|n| n.node.id())
            .collect();
        let edges: Vec<EdgeFigures> = self
            .edges
            .iter()
            .filter(|e| inside.contains(&e.caller) || inside.contains(&e.callee.id()))
            .cloned()
            .collect();
        let boundary: std::collections::BTreeSet<String> = edges
            .iter()
            .flat_map(|e| [e.caller.clone(), e.callee.id()])
            .filter(|id| !inside.contains(id))
            .collect();
        let nodes = self
            .nodes
            .iter()
            .filter(|n| {
                let id = n.node.id();
                inside.contains(&id) || boundary.contains(&id)
            })
            .cloned()
            .collect();
        let map = ServiceMap {
            window_seconds: self.window_seconds,
            nodes,
            edges,
        };
        (map, boundary)
    }
}

#[cfg(test)]
#[path = "map_tests.rs"]
mod tests;
