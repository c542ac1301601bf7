//! The `api_tokens` table: personal tokens for the JSON API, found by the
//! SHA-256 of the bearer token. Tokens are generated and hashed by the
//! server; only hashes reach this layer.

use sqlx::FromRow;

use super::{AccountStoreError, parse_role};
use crate::model::account::{ApiTokenRecord, CurrentUser};
use crate::storage::Database;

/// How often `last_used_at` is written at most, as for sessions.
const TOUCH_INTERVAL_SECS: f64 = 60.0;

/// Stores a new token's hash for `user_id`; returns its record.
pub async fn create(
    db: &Database,
    user_id: i64,
    name: &str,
    prefix: &str,
    token_hash: &[u8],
) -> Result<ApiTokenRecord, AccountStoreError> {
    Ok(sqlx::query_as(
        "insert into api_tokens (user_id, name, prefix, token_hash) values ($1, $2, $3, $4) \
         returning id, name, prefix, created_at, last_used_at, revoked_at",
    )
    .bind(user_id)
    .bind(name)
    .bind(prefix)
    .bind(token_hash)
    .fetch_one(db.pool())
    .await?)
}

/// A user's tokens, newest first, revoked ones included.
pub async fn list(db: &Database, user_id: i64) -> Result<Vec<ApiTokenRecord>, AccountStoreError> {
    Ok(sqlx::query_as(
        "select id, name, prefix, created_at, last_used_at, revoked_at \
         from api_tokens where user_id = $1 order by created_at desc, id desc",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?)
}

/// Revokes one of `user_id`'s tokens; false when they have no such live token.
pub async fn revoke(db: &Database, user_id: i64, id: i64) -> Result<bool, AccountStoreError> {
    let done = sqlx::query(
        "update api_tokens set revoked_at = now() \
         where id = $1 and user_id = $2 and revoked_at is null",
    )
    .bind(id)
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(FromRow)]
struct UserRow {
    token_id: i64,
    touch_due: bool,
    id: i64,
    username: String,
    display_name: String,
    role: String,
}

/// The user a live token acts for: the token not revoked, the user not
/// disabled. Records the use at most once a minute: a read on most
/// requests, a write only when the last one is old (an UPDATE on every
/// request would write a new row version each time).
pub async fn find_user(
    db: &Database,
    token_hash: &[u8],
) -> Result<Option<CurrentUser>, AccountStoreError> {
    let row: Option<UserRow> = sqlx::query_as(
        "select t.id as token_id, \
                (t.last_used_at is null \
                 or t.last_used_at < now() - make_interval(secs => $2)) as touch_due, \
                u.id, u.username, u.display_name, u.role \
         from api_tokens t join users u on u.id = t.user_id \
         where t.token_hash = $1 and t.revoked_at is null and not u.disabled",
    )
    .bind(token_hash)
    .bind(TOUCH_INTERVAL_SECS)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if row.touch_due {
        sqlx::query("update api_tokens set last_used_at = now() where id = $1")
            .bind(row.token_id)
            .execute(db.pool())
            .await?;
    }
    Ok(Some(CurrentUser {
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        role: parse_role(&row.role)?,
    }))
}
