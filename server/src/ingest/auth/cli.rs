//! `watchpost key create|list|revoke`: managing ingest keys from a shell,
//! straight on the database (no server needs to run). Servers see a new or
//! revoked key within their cache's refresh interval.

use std::fmt::Write as _;

use app::storage::{Database, StorageError};
use chrono::{DateTime, SecondsFormat, Utc};
use clap::Subcommand;

use super::key::{self, NewKey};
use crate::config::DatabaseConfig;

#[derive(Debug, Clone, clap::Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    pub action: KeyAction,
}

#[derive(Debug, Clone, Subcommand)]
pub enum KeyAction {
    /// Create a key and print it: the only time it is shown.
    Create {
        /// What the key is for, e.g. the service or cluster sending with it.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// List the keys: names, prefixes, last use; never the keys.
    List {
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Revoke a key; servers refuse it within seconds.
    Revoke {
        name: String,
        #[command(flatten)]
        database: DatabaseConfig,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum KeyCliError {
    #[error("{0}")]
    InvalidName(&'static str),
    #[error("an ingest key called {0:?} already exists")]
    NameTaken(String),
    #[error("no ingest key is called {0:?}")]
    NotFound(String),
    #[error(transparent)]
    Random(#[from] key::RandomError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Runs one command; returns what goes to standard output (for `create`,
/// the key alone, so `KEY=$(watchpost key create --name x)` works).
pub async fn run(args: KeyArgs) -> Result<String, KeyCliError> {
    let database = match &args.action {
        KeyAction::Create { database, .. }
        | KeyAction::List { database }
        | KeyAction::Revoke { database, .. } => database,
    };
    let db = Database::connect_lazy(&database.settings())?;
    // Keys may be made before the first server start (provisioning), so
    // the table is created here if need be; migrations are idempotent and
    // locked against concurrent runs.
    db.migrate().await?;
    let result = execute(&db, args.action).await;
    db.close().await;
    result
}

async fn execute(db: &Database, action: KeyAction) -> Result<String, KeyCliError> {
    match action {
        KeyAction::Create { name, .. } => {
            key::check_name(&name).map_err(KeyCliError::InvalidName)?;
            let new = NewKey::generate()?;
            match db.create_ingest_key(&name, &new.prefix, &new.hash).await {
                Err(StorageError::NameTaken) => Err(KeyCliError::NameTaken(name)),
                Err(other) => Err(other.into()),
                Ok(_) => Ok(format!("{}\n", new.key)),
            }
        }
        KeyAction::List { .. } => Ok(table(&db.ingest_keys().await?)),
        KeyAction::Revoke { name, .. } => match db.revoke_ingest_key(&name).await? {
            Some(_) => Ok(format!("revoked {name}\n")),
            None => Err(KeyCliError::NotFound(name)),
        },
    }
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(
        || "-".to_owned(),
        |at| at.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

fn table(keys: &[app::storage::ingest_keys::IngestKeyRecord]) -> String {
    let width = keys.iter().map(|k| k.name.len()).max().unwrap_or(0).max(4);
    let mut out = format!(
        "{:width$}  {:10}  {:20}  {:20}  {}\n",
        "NAME", "PREFIX", "CREATED", "LAST USED", "REVOKED"
    );
    for key in keys {
        let _ = writeln!(
            out,
            "{:width$}  {:10}  {:20}  {:20}  {}",
            key.name,
            key.prefix,
            when(Some(key.created_at)),
            when(key.last_used_at),
            when(key.revoked_at),
        );
    }
    out
}
