//! The `users` table.

use sqlx::FromRow;

use super::{AccountStoreError, FIRST_USER_LOCK, parse_role};
use crate::model::account::{CurrentUser, UserRecord};
use crate::model::role::Role;
use crate::storage::Database;

/// A user to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// An argon2id PHC string.
    pub password_hash: String,
    pub role: Role,
}

/// What a login needs: the user and the hash to verify against.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    pub user: CurrentUser,
    pub password_hash: String,
    pub disabled: bool,
}

#[derive(FromRow)]
struct LoginRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    password_hash: String,
    disabled: bool,
}

/// The user with this username, in any letter case.
pub async fn find_for_login(
    db: &Database,
    username: &str,
) -> Result<Option<LoginRecord>, AccountStoreError> {
    let row: Option<LoginRow> = sqlx::query_as(
        "select id, username, display_name, role, password_hash, disabled \
         from users where lower(username) = lower($1)",
    )
    .bind(username)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(LoginRecord {
            user: CurrentUser {
                id: row.id,
                username: row.username,
                display_name: row.display_name,
                role: parse_role(&row.role)?,
            },
            password_hash: row.password_hash,
            disabled: row.disabled,
        })
    })
    .transpose()
}

/// Whether any user exists: while none does, first-run setup is open.
pub async fn any_exists(db: &Database) -> Result<bool, AccountStoreError> {
    let exists: bool = sqlx::query_scalar("select exists (select 1 from users)")
        .fetch_one(db.pool())
        .await?;
    Ok(exists)
}

/// Creates a user (the CLI's `user add`). The first user closes first-run
/// setup, so unused setup tokens are deleted in the same transaction.
pub async fn create(db: &Database, user: &NewUser) -> Result<i64, AccountStoreError> {
    let tx = begin_first_user_lock(db).await?;
    insert_closing_setup(tx, user).await
}

/// A transaction holding the first-user lock, so creating users and using
/// a setup link never race to make two "first" admins.
pub(super) async fn begin_first_user_lock(
    db: &Database,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, AccountStoreError> {
    let mut tx = db.pool().begin().await?;
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(FIRST_USER_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Inserts the user, deletes every setup token (a user now exists, so
/// first-run setup is over) and commits.
pub(super) async fn insert_closing_setup(
    mut tx: sqlx::Transaction<'static, sqlx::Postgres>,
    user: &NewUser,
) -> Result<i64, AccountStoreError> {
    let id = insert(&mut tx, user).await?;
    sqlx::query("delete from setup_tokens")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub(super) async fn insert(
    tx: &mut sqlx::PgConnection,
    user: &NewUser,
) -> Result<i64, AccountStoreError> {
    let id: i64 = sqlx::query_scalar(
        "insert into users (username, display_name, password_hash, role) \
         values ($1, $2, $3, $4) returning id",
    )
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(&user.password_hash)
    .bind(user.role.as_str())
    .fetch_one(tx)
    .await?;
    Ok(id)
}

/// Disables or re-enables a user; false when there is no such user.
/// Disabling also revokes their sessions, so re-enabling later does not
/// bring old sessions back (the session lookup refuses disabled users
/// anyway, which is what makes the lock-out immediate).
pub async fn set_disabled(
    db: &Database,
    username: &str,
    disabled: bool,
) -> Result<bool, AccountStoreError> {
    let mut tx = db.pool().begin().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "update users set disabled = $2 where lower(username) = lower($1) returning id",
    )
    .bind(username)
    .bind(disabled)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Ok(false);
    };
    if disabled {
        sqlx::query(
            "update sessions set revoked_at = now() where user_id = $1 and revoked_at is null",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

#[derive(FromRow)]
struct ListRow {
    username: String,
    display_name: String,
    role: String,
    disabled: bool,
    created_at: chrono::DateTime<chrono::Utc>,
    last_login_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Every user, by username, with when they last logged in.
pub async fn list(db: &Database) -> Result<Vec<UserRecord>, AccountStoreError> {
    let rows: Vec<ListRow> = sqlx::query_as(
        "select u.username, u.display_name, u.role, u.disabled, u.created_at, \
                (select max(s.created_at) from sessions s where s.user_id = u.id) as last_login_at \
         from users u order by lower(u.username)",
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(UserRecord {
                role: parse_role(&row.role)?,
                username: row.username,
                display_name: row.display_name,
                disabled: row.disabled,
                created_at: row.created_at,
                last_login_at: row.last_login_at,
            })
        })
        .collect()
}

/// Gives a user another role; false when there is no such user. Takes
/// effect on their next request: sessions and tokens read the role live.
pub async fn set_role(
    db: &Database,
    username: &str,
    role: Role,
) -> Result<bool, AccountStoreError> {
    let done = sqlx::query("update users set role = $2 where lower(username) = lower($1)")
        .bind(username)
        .bind(role.as_str())
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}
