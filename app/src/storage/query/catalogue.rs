//! The service catalogue as the query side sees it: names and operations.

use crate::model::span::SpanKind;
use crate::storage::{Database, StorageError};

/// Counters of `pg_stat_database` for the current database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteActivity {
    pub commits: i64,
    pub inserted: i64,
    pub updated: i64,
}

/// An operation id with what the search needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRef {
    pub id: i32,
    pub name: String,
    pub kind: SpanKind,
}

impl OperationRef {
    fn from_row((id, name, kind): (i32, String, i16)) -> OperationRef {
        OperationRef {
            id,
            name,
            kind: SpanKind::from_i32(i32::from(kind)),
        }
    }
}

impl Database {
    /// Every service that has ever reported, by name.
    pub async fn service_names(&self) -> Result<Vec<String>, StorageError> {
        let names: Vec<(String,)> = sqlx::query_as("select name from services order by name")
            .fetch_all(self.pool())
            .await?;
        Ok(names.into_iter().map(|(name,)| name).collect())
    }

    /// A service's operations, optionally of one kind, sorted by name then
    /// kind. An unknown service has none.
    pub async fn operations_of(
        &self,
        service: &str,
        kind: Option<SpanKind>,
    ) -> Result<Vec<OperationRef>, StorageError> {
        let rows: Vec<(i32, String, i16)> = sqlx::query_as(
            "select o.id, o.name, o.kind from operations o \
             join services s on s.id = o.service_id \
             where s.name = $1 and ($2::int2 is null or o.kind = $2) \
             order by o.name, o.kind",
        )
        .bind(service)
        .bind(kind.map(|k| k as i16))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(OperationRef::from_row).collect())
    }

    /// Every operation of every service, for searches across all services.
    pub(super) async fn all_operations(&self) -> Result<Vec<OperationRef>, StorageError> {
        let rows: Vec<(i32, String, i16)> = sqlx::query_as("select id, name, kind from operations")
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().map(OperationRef::from_row).collect())
    }
}

impl Database {
    /// Every span stored (an exact count; for benchmarks and tests).
    pub async fn span_count(&self) -> Result<i64, StorageError> {
        let (count,): (i64,) = sqlx::query_as("select count(*) from spans")
            .fetch_one(self.pool())
            .await?;
        Ok(count)
    }

    /// This database's write activity so far, from PostgreSQL's statistics
    /// (which lag by up to a second or so); benchmarks take differences.
    pub async fn write_activity(&self) -> Result<WriteActivity, StorageError> {
        let (commits, inserted, updated): (i64, i64, i64) = sqlx::query_as(
            "select xact_commit, tup_inserted, tup_updated from pg_stat_database \
             where datname = current_database()",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(WriteActivity {
            commits,
            inserted,
            updated,
        })
    }

    /// Refreshes the planner's statistics after a bulk load.
    pub async fn analyze(&self) -> Result<(), StorageError> {
        sqlx::query("analyze").execute(self.pool()).await?;
        Ok(())
    }
}

impl Database {
    /// Each service's namespace (`service.namespace`), where it sent one.
    pub async fn service_namespaces(
        &self,
    ) -> Result<std::collections::HashMap<String, String>, StorageError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("select name, namespace from services where namespace is not null")
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().collect())
    }
}

impl Database {
    /// Services first seen after `since` (or after now, when `None`: the
    /// start of a watch), oldest first and at most `limit`, with how many
    /// had been seen by then. `since` is read in the database's clock, the
    /// one `first_seen` is written in, so a browser's clock never matters.
    pub async fn services_first_seen_after(
        &self,
        since: Option<chrono::DateTime<chrono::Utc>>,
        limit: i64,
    ) -> Result<crate::model::site::NewServices, StorageError> {
        let (since, earlier, arrived): (chrono::DateTime<chrono::Utc>, i64, Vec<String>) =
            sqlx::query_as(
                "with watch as (select coalesce($1::timestamptz, now()) as since)
                 select watch.since,
                        (select count(*) from services where first_seen <= watch.since),
                        coalesce((select array_agg(name order by first_seen, name)
                                  from (select name, first_seen from services
                                        where first_seen > watch.since
                                        order by first_seen, name
                                        limit $2) as newest), '{}')
                 from watch",
            )
            .bind(since)
            .bind(limit)
            .fetch_one(self.pool())
            .await?;
        Ok(crate::model::site::NewServices {
            since_us: since.timestamp_micros(),
            arrived,
            earlier,
        })
    }
}
