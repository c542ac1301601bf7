//! The traces that crossed one edge of the map, failing ones first.

use crate::model::map::{NodeKind, NodeRef};
use crate::model::peer::peer_of;
use crate::model::span::SpanKind;
use crate::storage::codec;
use crate::storage::{Database, StorageError};

/// Recent caller spans examined per edge: bounds the cost on busy edges.
const RECENT_CALLS: i64 = 2_000;
/// How far a callee span may start from its caller and still be found; it
/// lets PostgreSQL skip partitions that cannot hold it.
const SLACK_NS: i64 = 3_600_000_000_000;

fn is_call_kind(kind: SpanKind) -> bool {
    matches!(kind, SpanKind::Client | SpanKind::Producer)
}

fn is_answer_kind(kind: SpanKind) -> bool {
    matches!(kind, SpanKind::Server | SpanKind::Consumer)
}

impl Database {
    /// Trace ids of calls from `caller` to `callee` in [start, end]: those
    /// with an error on either side first, then the most recent.
    pub async fn edge_trace_ids(
        &self,
        caller: &str,
        callee: &NodeRef,
        start_ns: i64,
        end_ns: i64,
        limit: usize,
    ) -> Result<Vec<[u8; 16]>, StorageError> {
        let calls: Vec<i32> = self
            .operations_of(caller, None)
            .await?
            .into_iter()
            .filter(|o| is_call_kind(o.kind))
            .map(|o| o.id)
            .collect();
        if callee.kind == NodeKind::Service {
            self.traces_into_service(&calls, &callee.name, start_ns, end_ns, limit)
                .await
        } else {
            self.traces_into_peer(&calls, callee, start_ns, end_ns, limit)
                .await
        }
    }

    async fn traces_into_service(
        &self,
        calls: &[i32],
        callee: &str,
        start_ns: i64,
        end_ns: i64,
        limit: usize,
    ) -> Result<Vec<[u8; 16]>, StorageError> {
        let answers: Vec<i32> = self
            .operations_of(callee, None)
            .await?
            .into_iter()
            .filter(|o| is_answer_kind(o.kind))
            .map(|o| o.id)
            .collect();
        let rows: Vec<(Vec<u8>,)> = sqlx::query_as(
            "select c.trace_id from unnest($1::int4[]) as op(id) cross join lateral ( \
               select trace_id, span_id, status_code, start_ns from spans \
               where operation_id = op.id and start_ns >= $3 and start_ns <= $4 \
               order by start_ns desc limit $6) c \
             join spans s on s.trace_id = c.trace_id and s.parent_span_id = c.span_id \
               and s.operation_id = any($2) and s.start_ns >= $3 - $7 and s.start_ns <= $4 + $7 \
             order by (c.status_code = 2 or s.status_code = 2) desc, c.start_ns desc \
             limit $5",
        )
        .bind(calls)
        .bind(&answers)
        .bind(start_ns)
        .bind(end_ns)
        .bind(limit as i64 * 4)
        .bind(RECENT_CALLS)
        .bind(SLACK_NS)
        .fetch_all(self.pool())
        .await?;
        Ok(distinct_ids(rows, limit))
    }

    /// Calls to a virtual node have no callee span: the caller's recent
    /// client spans are read and kept when they name that peer.
    async fn traces_into_peer(
        &self,
        calls: &[i32],
        peer: &NodeRef,
        start_ns: i64,
        end_ns: i64,
        limit: usize,
    ) -> Result<Vec<[u8; 16]>, StorageError> {
        let rows: Vec<(Vec<u8>, Vec<u8>, i16)> = sqlx::query_as(
            "select c.trace_id, c.attributes, c.status_code from unnest($1::int4[]) as op(id) \
             cross join lateral ( \
               select trace_id, attributes, status_code, start_ns from spans \
               where operation_id = op.id and start_ns >= $2 and start_ns <= $3 \
               order by start_ns desc limit $4) c \
             order by (c.status_code = 2) desc, c.start_ns desc",
        )
        .bind(calls)
        .bind(start_ns)
        .bind(end_ns)
        .bind(RECENT_CALLS)
        .fetch_all(self.pool())
        .await?;
        let keys = self.key_names().current(self.pool()).await?;
        let key_name = |id: u32| keys.get(&id).cloned();
        let matching = rows
            .into_iter()
            .filter(|(_, attributes, _)| {
                codec::decode_attributes_with(attributes, &key_name)
                    .ok()
                    .and_then(|attributes| peer_of(&attributes))
                    .is_some_and(|found| &found == peer)
            })
            .map(|(id, _, _)| (id,))
            .collect();
        Ok(distinct_ids(matching, limit))
    }
}

fn distinct_ids(rows: Vec<(Vec<u8>,)>, limit: usize) -> Vec<[u8; 16]> {
    let mut seen = std::collections::HashSet::new();
    rows.into_iter()
        .filter_map(|(id,)| <[u8; 16]>::try_from(id.as_slice()).ok())
        .filter(|id| seen.insert(*id))
        .take(limit)
        .collect()
}
