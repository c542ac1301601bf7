//! Ingest keys (`ingest_keys`): create, list, revoke, the active hashes the
//! servers' key caches load, and their batched last-used times. Keys are
//! generated and hashed by the server; only hashes reach this layer.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::storage::{Database, StorageError};

pub use crate::model::ingest_key::IngestKeyRecord;

/// A taken name becomes `NameTaken`; a taken hash cannot happen with
/// random 256-bit keys, so it stays a query error.
fn name_conflict(error: sqlx::Error) -> StorageError {
    match &error {
        sqlx::Error::Database(db)
            if db.code().as_deref() == Some("23505")
                && db.constraint() == Some("ingest_keys_name_key") =>
        {
            StorageError::NameTaken
        }
        _ => StorageError::from(error),
    }
}

impl Database {
    /// Stores a new key's hash under `name`; returns its record.
    pub async fn create_ingest_key(
        &self,
        name: &str,
        prefix: &str,
        key_hash: &[u8],
    ) -> Result<IngestKeyRecord, StorageError> {
        sqlx::query_as(
            "insert into ingest_keys (name, prefix, key_hash) values ($1, $2, $3) \
             returning id, name, prefix, created_at, last_used_at, revoked_at",
        )
        .bind(name)
        .bind(prefix)
        .bind(key_hash)
        .fetch_one(self.pool())
        .await
        .map_err(name_conflict)
    }

    /// Every key, revoked ones included, by name.
    pub async fn ingest_keys(&self) -> Result<Vec<IngestKeyRecord>, StorageError> {
        Ok(sqlx::query_as(
            "select id, name, prefix, created_at, last_used_at, revoked_at \
             from ingest_keys order by name",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Revokes the key called `name` (again is harmless: the first time
    /// stays). `None` if there is no such key.
    pub async fn revoke_ingest_key(&self, name: &str) -> Result<Option<RevokedKey>, StorageError> {
        Ok(sqlx::query_as(
            "update ingest_keys set revoked_at = coalesce(revoked_at, now()) where name = $1 \
             returning id, name, prefix, created_at, last_used_at, revoked_at, key_hash",
        )
        .bind(name)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The hashes of the keys not revoked: what the key caches hold.
    pub async fn active_ingest_key_hashes(&self) -> Result<Vec<Vec<u8>>, StorageError> {
        Ok(
            sqlx::query_scalar("select key_hash from ingest_keys where revoked_at is null")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Records when keys were last used, one statement for the batch. A
    /// time older than the stored one (another replica's) is ignored.
    pub async fn touch_ingest_keys(
        &self,
        used: &[(Vec<u8>, DateTime<Utc>)],
    ) -> Result<(), StorageError> {
        if used.is_empty() {
            return Ok(());
        }
        let (hashes, times): (Vec<&[u8]>, Vec<DateTime<Utc>>) =
            used.iter().map(|(hash, at)| (hash.as_slice(), *at)).unzip();
        sqlx::query(
            "update ingest_keys k set last_used_at = greatest(k.last_used_at, u.used_at) \
             from unnest($1::bytea[], $2::timestamptz[]) as u(key_hash, used_at) \
             where k.key_hash = u.key_hash",
        )
        .bind(hashes)
        .bind(times)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

/// A key just revoked, with its hash so the revoking server can drop it
/// from its own cache at once.
#[derive(Debug, Clone, FromRow)]
pub struct RevokedKey {
    #[sqlx(flatten)]
    pub record: IngestKeyRecord,
    pub key_hash: Vec<u8>,
}
