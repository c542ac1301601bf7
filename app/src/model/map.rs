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
