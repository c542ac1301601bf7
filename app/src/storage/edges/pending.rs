//! Service-map facts shared between replicas (`edge_pending`): a caller or
//! callee span that found no partner in its own server's memory is written
//! here, and whichever replica holds the pairing lock matches the table.

use sqlx::FromRow;

use super::{EdgeRollup, insert};
use crate::model::map::{NodeKind, NodeRef};
use crate::storage::codec::CodecError;
use crate::storage::{Database, StorageError};

/// Any constant unique to this use; replicas pair one at a time.
const PAIRING_LOCK: i64 = 0x5761_7463_6845_6467; // "WatchEdg"

/// A caller or callee span waiting for its other half.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEdgeFact {
    pub trace_id: [u8; 16],
    /// A caller's own span id; a callee's caller span id.
    pub span_id: [u8; 8],
    pub is_caller: bool,
    pub service: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub error: bool,
    pub asynchronous: bool,
    pub peer: Option<NodeRef>,
    pub waiting_since_ms: i64,
}

#[derive(FromRow)]
struct Row {
    trace_id: Vec<u8>,
    span_id: Vec<u8>,
    is_caller: bool,
    service: String,
    start_ns: i64,
    duration_ns: i64,
    error: bool,
    asynchronous: bool,
    peer_name: Option<String>,
    peer_kind: Option<i16>,
    waiting_since_ms: i64,
}

impl Row {
    fn into_fact(self) -> Result<PendingEdgeFact, StorageError> {
        let corrupt = || StorageError::Corrupt(CodecError::WrongLength("an edge_pending span id"));
        Ok(PendingEdgeFact {
            trace_id: self.trace_id.try_into().map_err(|_| corrupt())?,
            span_id: self.span_id.try_into().map_err(|_| corrupt())?,
            is_caller: self.is_caller,
            service: self.service,
            start_ns: self.start_ns,
            duration_ns: self.duration_ns,
            error: self.error,
            asynchronous: self.asynchronous,
            peer: self.peer_name.map(|name| NodeRef {
                name,
                kind: NodeKind::from_i16(self.peer_kind.unwrap_or_default()),
            }),
            waiting_since_ms: self.waiting_since_ms,
        })
    }
}

/// What one pairing round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairingRound {
    /// Rows taken out of the table (paired or expired).
    pub taken: usize,
    /// Rows still waiting.
    pub left: i64,
}

impl Database {
    /// Shares waiting facts with the other replicas.
    pub async fn spill_edge_facts(&self, facts: &[PendingEdgeFact]) -> Result<(), StorageError> {
        if facts.is_empty() {
            return Ok(());
        }
        let bytes =
            |f: fn(&PendingEdgeFact) -> &[u8]| -> Vec<&[u8]> { facts.iter().map(f).collect() };
        let int = |f: fn(&PendingEdgeFact) -> i64| -> Vec<i64> { facts.iter().map(f).collect() };
        let flag = |f: fn(&PendingEdgeFact) -> bool| -> Vec<bool> { facts.iter().map(f).collect() };
        sqlx::query(
            "insert into edge_pending (trace_id, span_id, is_caller, service, start_ns, \
             duration_ns, error, asynchronous, peer_name, peer_kind, waiting_since_ms) \
             select * from unnest($1::bytea[], $2::bytea[], $3::bool[], $4::text[], $5::int8[], \
             $6::int8[], $7::bool[], $8::bool[], $9::text[], $10::int2[], $11::int8[])",
        )
        .bind(bytes(|f| &f.trace_id))
        .bind(bytes(|f| &f.span_id))
        .bind(flag(|f| f.is_caller))
        .bind(facts.iter().map(|f| f.service.as_str()).collect::<Vec<_>>())
        .bind(int(|f| f.start_ns))
        .bind(int(|f| f.duration_ns))
        .bind(flag(|f| f.error))
        .bind(flag(|f| f.asynchronous))
        .bind(
            facts
                .iter()
                .map(|f| f.peer.as_ref().map(|p| p.name.as_str()))
                .collect::<Vec<_>>(),
        )
        .bind(
            facts
                .iter()
                .map(|f| f.peer.as_ref().map(|p| p.kind as i16))
                .collect::<Vec<_>>(),
        )
        .bind(int(|f| f.waiting_since_ms))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Takes out every shared fact whose partner is in the table too, and
    /// every one that has waited past its limit (callers since
    /// `callers_before_ms`, callees since `callees_before_ms`), hands them
    /// to `pair`, and stores the rollups it makes, all in one transaction:
    /// a fact is counted once or stays. `None` when another replica is
    /// pairing right now.
    pub async fn pair_pending_edges(
        &self,
        callers_before_ms: i64,
        callees_before_ms: i64,
        pair: impl FnOnce(Vec<PendingEdgeFact>) -> Vec<EdgeRollup>,
    ) -> Result<Option<PairingRound>, StorageError> {
        let mut transaction = self.pool().begin().await?;
        let locked: bool = sqlx::query_scalar("select pg_try_advisory_xact_lock($1)")
            .bind(PAIRING_LOCK)
            .fetch_one(&mut *transaction)
            .await?;
        if !locked {
            return Ok(None);
        }
        let rows: Vec<Row> = sqlx::query_as(
            "delete from edge_pending p \
             where p.waiting_since_ms < case when p.is_caller then $1 else $2 end \
                or exists (select 1 from edge_pending o where o.trace_id = p.trace_id \
                           and o.span_id = p.span_id and o.is_caller <> p.is_caller) \
             returning p.trace_id, p.span_id, p.is_caller, p.service, p.start_ns, \
               p.duration_ns, p.error, p.asynchronous, p.peer_name, p.peer_kind, \
               p.waiting_since_ms",
        )
        .bind(callers_before_ms)
        .bind(callees_before_ms)
        .fetch_all(&mut *transaction)
        .await?;
        let taken = rows.len();
        let facts = rows
            .into_iter()
            .map(Row::into_fact)
            .collect::<Result<Vec<_>, _>>()?;
        let rollups = if facts.is_empty() {
            Vec::new()
        } else {
            pair(facts)
        };
        insert(&mut transaction, &rollups).await?;
        let left: i64 = sqlx::query_scalar("select count(*) from edge_pending")
            .fetch_one(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(Some(PairingRound { taken, left }))
    }

    /// Marks replica `id` as running, forgets replicas gone for a minute,
    /// and says how many others were seen in the last `within_secs`.
    pub async fn replica_heartbeat(&self, id: i64, within_secs: i64) -> Result<i64, StorageError> {
        let mut transaction = self.pool().begin().await?;
        sqlx::query(
            "insert into server_replicas (id) values ($1) \
             on conflict (id) do update set seen_at = now()",
        )
        .bind(id)
        .execute(&mut *transaction)
        .await?;
        sqlx::query("delete from server_replicas where seen_at < now() - interval '1 minute'")
            .execute(&mut *transaction)
            .await?;
        let others: i64 = sqlx::query_scalar(
            "select count(*) from server_replicas where id <> $1 \
             and seen_at >= now() - make_interval(secs => $2)",
        )
        .bind(id)
        .bind(within_secs as f64)
        .fetch_one(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(others)
    }

    /// Replica `id` is stopping.
    pub async fn replica_leave(&self, id: i64) -> Result<(), StorageError> {
        sqlx::query("delete from server_replicas where id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
