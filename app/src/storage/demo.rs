//! What the demo fleet keeps in its database: a marker saying the database
//! is the demo's (so simulated data never lands silently among real data),
//! and the health checks of its simulated services.

use sqlx::{Connection, PgConnection};

use super::checks::{all_checks, insert_check, remove_check, replace_check};
use super::{Database, StorageError};
use crate::model::check::{CheckSource, CheckSpec};

/// The `settings` key that marks a database as the demo fleet's.
const DEMO_MARKER: &str = "demo_fleet";

/// Serialises demo check syncs ("watchp" and a number, like the other locks).
const DEMO_SYNC_LOCK: i64 = 0x7761_7463_6870_0010;

/// What a database holds that the demo did not put there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ForeignData {
    pub services: i64,
    pub checks: i64,
}

impl ForeignData {
    pub fn is_empty(&self) -> bool {
        self.services == 0 && self.checks == 0
    }
}

impl Database {
    /// Whether the demo fleet set this database up.
    pub async fn is_demo_database(&self) -> Result<bool, StorageError> {
        let marked: bool =
            sqlx::query_scalar("select exists (select 1 from settings where key = $1)")
                .bind(DEMO_MARKER)
                .fetch_one(self.pool())
                .await?;
        Ok(marked)
    }

    /// Services that reported and checks that were registered, other than
    /// the demo's own checks. Only meaningful for an unmarked database: in
    /// a marked one every service is the demo's.
    pub async fn foreign_data(&self) -> Result<ForeignData, StorageError> {
        let (services, checks): (i64, i64) = sqlx::query_as(
            "select (select count(*) from services), \
                    (select count(*) from checks where source <> 'demo')",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(ForeignData { services, checks })
    }

    /// Marks the database as the demo fleet's.
    pub async fn mark_demo_database(&self) -> Result<(), StorageError> {
        sqlx::query(
            "insert into settings (key, value) values ($1, jsonb_build_object('since', now())) \
             on conflict (key) do nothing",
        )
        .bind(DEMO_MARKER)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Makes the demo's checks exactly `specs`: adds the new ones, replaces
    /// changed ones (the fleet's ports change at every start) and removes
    /// the rest. A check by the same name from elsewhere is an error.
    pub async fn sync_demo_checks(&self, specs: &[CheckSpec]) -> Result<(), StorageError> {
        let mut transaction = self.pool().begin().await?;
        sqlx::query("select pg_advisory_xact_lock($1)")
            .bind(DEMO_SYNC_LOCK)
            .execute(&mut *transaction)
            .await?;
        let existing = all_checks(&mut *transaction).await?;
        for spec in specs {
            match existing.iter().find(|c| c.spec.name == spec.name) {
                None => {
                    insert_check(&mut *transaction, spec, CheckSource::Demo).await?;
                }
                Some(known) if known.source != CheckSource::Demo => {
                    return Err(StorageError::NameTaken);
                }
                Some(known) if known.spec != *spec => {
                    replace_check(&mut *transaction, known.id, spec).await?;
                }
                Some(_) => {}
            }
        }
        for known in existing.iter().filter(|c| c.source == CheckSource::Demo) {
            if !specs.iter().any(|s| s.name == known.spec.name) {
                remove_check(&mut *transaction, known.id).await?;
            }
        }
        transaction.commit().await?;
        Ok(())
    }
}

/// Creates database `name` on the server `server_url` points at, unless it
/// exists; true when it made it. The name is quoted as an identifier, so
/// any name is safe.
pub async fn create_database_if_missing(
    server_url: &str,
    name: &str,
) -> Result<bool, StorageError> {
    let mut connection = PgConnection::connect(server_url)
        .await
        .map_err(StorageError::from)?;
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(name)
            .fetch_one(&mut connection)
            .await?;
    if !exists {
        // An identifier cannot be a bind parameter; doubling its quotes
        // makes any name one quoted identifier.
        let quoted = name.replace('"', "\"\"");
        sqlx::query(sqlx::AssertSqlSafe(format!("create database \"{quoted}\"")))
            .execute(&mut connection)
            .await?;
    }
    connection.close().await.ok();
    Ok(!exists)
}
