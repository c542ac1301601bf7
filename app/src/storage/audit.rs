//! The `audit_log` table: appended to, read newest first.

use crate::model::audit::{Actor, AuditAction, AuditRecord};
use crate::storage::{Database, StorageError};

impl Database {
    /// Appends one record.
    pub async fn audit(
        &self,
        actor: &Actor,
        action: AuditAction,
        target: &str,
        detail: &str,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "insert into audit_log (actor_id, actor, action, target, detail, address) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(actor.user_id)
        .bind(&actor.name)
        .bind(action.as_str())
        .bind(target)
        .bind(detail)
        .bind(&actor.address)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Up to `limit` records older than `before` (an id; all when `None`),
    /// newest first, optionally only those whose action starts with `action`.
    pub async fn audit_records(
        &self,
        before: Option<i64>,
        action: &str,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StorageError> {
        Ok(sqlx::query_as(
            "select id, at, actor, action, target, detail, address from audit_log \
             where ($1::bigint is null or id < $1) and action like $2 || '%' \
             order by id desc limit $3",
        )
        .bind(before)
        .bind(
            action
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_"),
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}
