//! The `sessions` table: one row per login, found by the SHA-256 of the
//! cookie's token.

use std::time::Duration;

use sqlx::FromRow;

use super::{AccountStoreError, parse_role};
use crate::model::account::CurrentUser;
use crate::storage::Database;

/// How often `last_seen_at` is written at most: idle expiry does not need
/// per-request precision, and a write per request would cost more than the
/// request itself on busy dashboards.
pub const TOUCH_INTERVAL_SECS: f64 = 60.0;

/// A live session and whether its `last_seen_at` is due for a refresh.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub session_id: i64,
    pub user: CurrentUser,
    pub touch_due: bool,
}

#[derive(FromRow)]
struct Row {
    session_id: i64,
    id: i64,
    username: String,
    display_name: String,
    role: String,
    touch_due: bool,
}

/// Starts a session for `user_id` that ends at the latest after `max_age`.
pub async fn create(
    db: &Database,
    token_hash: &[u8],
    user_id: i64,
    max_age: Duration,
) -> Result<(), AccountStoreError> {
    sqlx::query(
        "insert into sessions (token_hash, user_id, expires_at) \
         values ($1, $2, now() + make_interval(secs => $3))",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(max_age.as_secs_f64())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The session with this token hash, if it is live: not revoked, not past
/// its absolute expiry, seen within `idle`, and its user not disabled.
pub async fn find_live(
    db: &Database,
    token_hash: &[u8],
    idle: Duration,
) -> Result<Option<LiveSession>, AccountStoreError> {
    let row: Option<Row> = sqlx::query_as(
        "select s.id as session_id, u.id, u.username, u.display_name, u.role, \
                s.last_seen_at < now() - make_interval(secs => $3) as touch_due \
         from sessions s join users u on u.id = s.user_id \
         where s.token_hash = $1 \
           and s.revoked_at is null \
           and s.expires_at > now() \
           and s.last_seen_at > now() - make_interval(secs => $2) \
           and not u.disabled",
    )
    .bind(token_hash)
    .bind(idle.as_secs_f64())
    .bind(TOUCH_INTERVAL_SECS)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(LiveSession {
            session_id: row.session_id,
            user: CurrentUser {
                id: row.id,
                username: row.username,
                display_name: row.display_name,
                role: parse_role(&row.role)?,
            },
            touch_due: row.touch_due,
        })
    })
    .transpose()
}

/// Records activity, for idle expiry.
pub async fn touch(db: &Database, session_id: i64) -> Result<(), AccountStoreError> {
    sqlx::query("update sessions set last_seen_at = now() where id = $1")
        .bind(session_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends a session (logout). Kept as revoked rather than deleted so a later
/// audit log can tell a logout from an expiry.
pub async fn revoke(db: &Database, token_hash: &[u8]) -> Result<(), AccountStoreError> {
    sqlx::query(
        "update sessions set revoked_at = now() where token_hash = $1 and revoked_at is null",
    )
    .bind(token_hash)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Deletes sessions that ended more than a day ago; returns how many.
pub async fn delete_ended(db: &Database) -> Result<u64, AccountStoreError> {
    let done = sqlx::query(
        "delete from sessions \
         where expires_at < now() - interval '1 day' \
            or revoked_at < now() - interval '1 day'",
    )
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}

/// Revokes every live session of `user_id` but `keep`; how many ended.
pub async fn revoke_others(
    db: &Database,
    user_id: i64,
    keep: Option<i64>,
) -> Result<u64, AccountStoreError> {
    let done = sqlx::query(
        "update sessions set revoked_at = now() \
         where user_id = $1 and revoked_at is null and id is distinct from $2",
    )
    .bind(user_id)
    .bind(keep)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}
