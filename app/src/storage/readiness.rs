use super::{Database, MIGRATOR, StorageError};

/// Whether the database can serve this build.
#[derive(Debug)]
pub enum Readiness {
    Ready,
    MigrationsPending { applied: Option<i64>, expected: i64 },
    Unreachable(StorageError),
}

/// The version of the newest migration embedded in this binary.
pub fn expected_schema_version() -> i64 {
    MIGRATOR
        .iter()
        .map(|migration| migration.version)
        .max()
        .unwrap_or(0)
}

impl Database {
    /// The newest successfully applied migration, or `None` on a fresh database.
    pub async fn applied_schema_version(&self) -> Result<Option<i64>, StorageError> {
        // `to_regclass` is null until sqlx has created its bookkeeping table,
        // which tells "fresh database" apart from "unreachable".
        let table_exists: bool =
            sqlx::query_scalar("select to_regclass('_sqlx_migrations') is not null")
                .fetch_one(self.pool())
                .await?;
        if !table_exists {
            return Ok(None);
        }
        let version = sqlx::query_scalar("select max(version) from _sqlx_migrations where success")
            .fetch_one(self.pool())
            .await?;
        Ok(version)
    }

    /// Ready once every migration this build carries is applied. A newer
    /// schema (another replica already upgraded) still counts as ready.
    pub async fn readiness(&self) -> Readiness {
        let expected = expected_schema_version();
        match self.applied_schema_version().await {
            Ok(applied) if applied.is_some_and(|v| v >= expected) => Readiness::Ready,
            Ok(applied) => Readiness::MigrationsPending { applied, expected },
            Err(error) => Readiness::Unreachable(error),
        }
    }
}
