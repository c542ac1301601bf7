//! First-run setup tokens: valid only while no user exists.

use super::AccountStoreError;
use super::users::NewUser;

use crate::storage::Database;

/// Stores a new setup token's hash, unless a user exists already; true when
/// stored.
pub async fn add_token(db: &Database, token_hash: &[u8]) -> Result<bool, AccountStoreError> {
    let done = sqlx::query(
        "insert into setup_tokens (token_hash) \
         select $1 where not exists (select 1 from users)",
    )
    .bind(token_hash)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether this token would be accepted now.
pub async fn token_valid(db: &Database, token_hash: &[u8]) -> Result<bool, AccountStoreError> {
    let valid: bool = sqlx::query_scalar(
        "select exists (select 1 from setup_tokens where token_hash = $1) \
            and not exists (select 1 from users)",
    )
    .bind(token_hash)
    .fetch_one(db.pool())
    .await?;
    Ok(valid)
}

/// Uses the token to create the first user, all or nothing: the token is
/// consumed, every other setup token deleted, and nothing happens if any
/// user exists already.
pub async fn create_first_user(
    db: &Database,
    token_hash: &[u8],
    user: &NewUser,
) -> Result<i64, AccountStoreError> {
    let mut tx = super::users::begin_first_user_lock(db).await?;
    let consumed = sqlx::query("delete from setup_tokens where token_hash = $1")
        .bind(token_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let someone: bool = sqlx::query_scalar("select exists (select 1 from users)")
        .fetch_one(&mut *tx)
        .await?;
    if consumed == 0 || someone {
        return Err(AccountStoreError::SetupClosed);
    }
    super::users::insert_closing_setup(tx, user).await
}
