//! Ingest keys as people see them: a name, a prefix and times. The key
//! itself is shown once, at creation; the hash never leaves the server.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An ingest key as lists show it: never its hash, never the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct IngestKeyRecord {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A key's name: 1–64 letters, digits, `-`, `_` or `.`, so it is safe in a
/// URL path, a shell and a log line as it is.
pub fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > 64 {
        return Err("a key name has 1 to 64 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err("a key name may hold only letters, digits, '-', '_' and '.'");
    }
    Ok(())
}
