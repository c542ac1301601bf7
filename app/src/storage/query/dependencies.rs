//! Which service calls which: a first version read straight from spans
//! (a child span whose parent is in another service). The service-map work
//! replaces it with per-minute edge rollups.

use serde::{Deserialize, Serialize};

use crate::storage::{Database, StorageError};

/// How far before the window a parent may start and still be joined: long
/// requests start well before their children.
const PARENT_SLACK_NS: i64 = 3_600_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencyLink {
    pub parent: String,
    pub child: String,
    pub call_count: u64,
}

impl Database {
    /// Caller → callee service pairs among spans starting in [start, end).
    pub async fn dependencies(
        &self,
        start_ns: i64,
        end_ns: i64,
    ) -> Result<Vec<DependencyLink>, StorageError> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "select ps.name, cs.name, count(*) from spans c \
             join spans p on p.trace_id = c.trace_id and p.span_id = c.parent_span_id \
               and p.start_ns >= $1 - $3 and p.start_ns < $2 \
             join operations co on co.id = c.operation_id \
             join operations po on po.id = p.operation_id \
             join services cs on cs.id = co.service_id \
             join services ps on ps.id = po.service_id \
             where c.start_ns >= $1 and c.start_ns < $2 and c.parent_span_id is not null \
               and co.service_id <> po.service_id \
             group by ps.name, cs.name order by ps.name, cs.name",
        )
        .bind(start_ns)
        .bind(end_ns)
        .bind(PARENT_SLACK_NS)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(parent, child, count)| DependencyLink {
                parent,
                child,
                call_count: count.max(0) as u64,
            })
            .collect())
    }
}
