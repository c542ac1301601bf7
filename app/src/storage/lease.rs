//! Leader leases: one replica among several on one database does a job
//! (alert evaluation, the demo fleet), and another takes over when it dies.
//!
//! A lease is a PostgreSQL session advisory lock held on a connection kept
//! out of the pool. It ends when the connection does: a crashed or
//! partitioned leader's lock is released by the server, and the next
//! replica to try gets it.

use sqlx::{Connection, PgConnection};

use crate::storage::{Database, StorageError};

/// A leader-only job, each with its own lock key.
#[derive(Debug, Clone, Copy)]
pub enum LeaseKey {
    AlertEvaluation,
    /// One demo fleet per demo database, however many replicas run `--demo`.
    DemoFleet,
}

impl LeaseKey {
    /// The advisory-lock key ("watchp" and a number, unlike the keys of
    /// the other advisory locks Watchpost takes).
    fn lock_id(self) -> i64 {
        match self {
            LeaseKey::AlertEvaluation => 0x7761_7463_6870_0008,
            LeaseKey::DemoFleet => 0x7761_7463_6870_0009,
        }
    }
}

/// A held lease; dropping it ends it.
pub struct Lease {
    connection: PgConnection,
}

impl Database {
    /// The lease, if no other session holds it.
    pub async fn try_take_lease(&self, key: LeaseKey) -> Result<Option<Lease>, StorageError> {
        let mut connection = self.pool().acquire().await?;
        let taken: bool = sqlx::query_scalar("select pg_try_advisory_lock($1)")
            .bind(key.lock_id())
            .fetch_one(&mut *connection)
            .await?;
        if !taken {
            return Ok(None);
        }
        // Out of the pool: a pooled connection could be handed to other
        // work holding the lock, or closed as idle and lose it.
        Ok(Some(Lease {
            connection: connection.detach(),
        }))
    }
}

impl Lease {
    /// Whether the lease still holds: its connection answers.
    pub async fn alive(&mut self) -> bool {
        self.connection.ping().await.is_ok()
    }
}
