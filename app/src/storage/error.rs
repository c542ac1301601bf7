use sqlx::migrate::MigrateError;

/// Errors of the storage layer. Transports map these once to HTTP and gRPC
/// status codes; the text here is for logs, not for clients.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database cannot be reached (or the URL is unusable).
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// A query failed for another reason.
    #[error("query failed: {0}")]
    Query(#[source] sqlx::Error),
    /// Stored bytes could not be decoded: a bug or corruption, never input.
    #[error("stored data is unreadable: {0}")]
    Corrupt(#[source] crate::storage::codec::CodecError),
    /// A name that must be unique is taken (a check's name).
    #[error("the name is already taken")]
    NameTaken,
}

impl StorageError {
    pub(crate) fn from_migrate(error: MigrateError) -> StorageError {
        match error {
            MigrateError::Execute(source) => StorageError::from(source),
            other => StorageError::Query(sqlx::Error::Migrate(Box::new(other))),
        }
    }
}

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Configuration(_) => StorageError::Unavailable(error),
            sqlx::Error::Database(ref db)
                if db.code().as_deref().is_some_and(is_unavailable_code) =>
            {
                StorageError::Unavailable(error)
            }
            other => StorageError::Query(other),
        }
    }
}

/// SQLSTATE classes that mean "the server is there but will not serve us
/// (yet)": connection exceptions, a missing database, bad credentials, and a
/// server that is starting up or shutting down.
fn is_unavailable_code(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("28") || code.starts_with("57P") || code == "3D000"
}

#[cfg(test)]
mod tests {
    use super::is_unavailable_code;

    #[test]
    fn classifies_sqlstates_that_mean_try_again_later() {
        for code in ["08006", "28P01", "57P03", "3D000"] {
            assert!(is_unavailable_code(code), "{code}");
        }
        for code in ["23505", "42P01", "22P02"] {
            assert!(!is_unavailable_code(code), "{code}");
        }
    }
}
