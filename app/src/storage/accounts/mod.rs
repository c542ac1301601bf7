//! Users, their sessions and API tokens, and the first-run setup tokens.
//!
//! Only hashes are stored here: argon2id PHC strings for passwords (hashed by
//! the server, off the async runtime) and SHA-256 digests for session and
//! setup tokens. The plain tokens exist only in the browser's cookie and,
//! for the setup token, in the one first-run log line.

pub mod sessions;
pub mod setup;
pub mod tokens;
pub mod users;

use crate::model::role::Role;
use crate::storage::StorageError;

/// What can go wrong storing accounts; the text is for logs.
#[derive(Debug, thiserror::Error)]
pub enum AccountStoreError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Another user already has this username (in any letter case).
    #[error("the username is taken")]
    UsernameTaken,
    /// The setup token is unknown or used, or a user already exists.
    #[error("first-run setup is closed or the token is unknown")]
    SetupClosed,
    /// A role the code does not know: the table's check constraint was changed.
    #[error("stored role {0:?} is unknown")]
    UnknownRole(String),
}

impl From<sqlx::Error> for AccountStoreError {
    fn from(error: sqlx::Error) -> Self {
        let unique_violation = matches!(
            &error,
            sqlx::Error::Database(db) if db.code().as_deref() == Some("23505")
        );
        if unique_violation {
            AccountStoreError::UsernameTaken
        } else {
            AccountStoreError::Storage(StorageError::from(error))
        }
    }
}

fn parse_role(text: &str) -> Result<Role, AccountStoreError> {
    Role::parse(text).ok_or_else(|| AccountStoreError::UnknownRole(text.to_owned()))
}

/// Serialises first-user creation across replicas and the CLI, so two
/// setup forms sent at once cannot both create "the first" admin.
const FIRST_USER_LOCK: i64 = 0x7761_7463_6870_0007;
