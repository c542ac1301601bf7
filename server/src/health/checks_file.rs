//! The declarative checks file: TOML, one `[[check]]` table per check, with
//! the same field names as the JSON API (a `CheckInput` each), validated by
//! the same rules.
//!
//! ```toml
//! [[check]]
//! name = "orders health"
//! service = "orders"
//! type = "http"
//! url = "http://orders:8080/healthz"
//! interval = "15s"
//! expected_status = [200, "3xx"]
//!
//! [[check]]
//! name = "orders db"
//! service = "orders"
//! type = "tcp"
//! target = "orders-db:5432"
//! ```
//!
//! It is loaded at start (a bad file stops the server from starting, as
//! Prometheus does) and again on SIGHUP (a bad file is logged and the
//! checks already registered stay, so a typo never wipes them). Either the
//! whole file applies or none of it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use app::model::check::CheckSpec;
use app::model::check_input::CheckInput;
use app::storage::checks::SyncReport;
use app::storage::{Database, Readiness, StorageError};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

/// Why the checks file was not applied.
#[derive(Debug, thiserror::Error)]
pub enum ChecksFileError {
    #[error("checks file {}: cannot read it: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not TOML, or not the file's shape (an unknown field, a wrong type).
    #[error("checks file {}: {}{message}", path.display(), at_text(*at))]
    Parse {
        path: PathBuf,
        /// Line and column, from 1, when the parser knows them.
        at: Option<(usize, usize)>,
        message: String,
    },
    /// Entries that break the rules checks are validated by.
    #[error("checks file {}: {}", path.display(), join(problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<EntryProblem>,
    },
    #[error("checks file {}: the checks could not be stored: {source}", path.display())]
    Storage { path: PathBuf, source: StorageError },
}

/// One problem with one entry, e.g. `check 2 ("orders health"): interval:
/// must be at least 1s`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryProblem {
    /// The entry's position in the file, from 1.
    pub index: usize,
    /// Its name as written, when it has one.
    pub name: Option<String>,
    pub field: String,
    pub message: String,
}

impl fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "check {}", self.index)?;
        if let Some(name) = &self.name {
            write!(f, " ({name:?})")?;
        }
        write!(f, ": {}: {}", self.field, self.message)
    }
}

fn at_text(at: Option<(usize, usize)>) -> String {
    at.map(|(line, column)| format!("line {line}, column {column}: "))
        .unwrap_or_default()
}

fn join(problems: &[EntryProblem]) -> String {
    let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    texts.join("; ")
}

/// The file's shape. Unknown top-level keys are refused, so `[[checks]]`
/// is an error rather than a silently empty file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    #[serde(default)]
    check: Vec<CheckInput>,
}

/// Reads and validates the file. `path` is only read, never written.
pub fn load(path: &Path) -> Result<Vec<CheckSpec>, ChecksFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ChecksFileError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(path, &text)
}

/// Parses and validates the text of a checks file; `path` names it in errors.
pub fn parse(path: &Path, text: &str) -> Result<Vec<CheckSpec>, ChecksFileError> {
    let shape: FileShape = toml::from_str(text).map_err(|error| ChecksFileError::Parse {
        path: path.to_owned(),
        at: error.span().map(|span| line_column(text, span.start)),
        message: error.message().trim_end().to_owned(),
    })?;
    let mut specs = Vec::with_capacity(shape.check.len());
    let mut problems = Vec::new();
    let mut first_with_name = HashMap::new();
    for (position, input) in shape.check.iter().enumerate() {
        let index = position + 1;
        let name = Some(input.name.trim())
            .filter(|name| !name.is_empty())
            .map(str::to_owned);
        let problem = |field: &str, message: String| EntryProblem {
            index,
            name: name.clone(),
            field: field.to_owned(),
            message,
        };
        if let Some(name) = &name {
            match first_with_name.entry(name.clone()) {
                Entry::Occupied(first) => problems.push(problem(
                    "name",
                    format!("already used by check {}", first.get()),
                )),
                Entry::Vacant(slot) => {
                    slot.insert(index);
                }
            }
        }
        match input.validate() {
            Ok(spec) => specs.push(spec),
            Err(errors) => problems.extend(
                errors
                    .into_iter()
                    .map(|error| problem(&error.field, error.message)),
            ),
        }
    }
    if problems.is_empty() {
        Ok(specs)
    } else {
        Err(ChecksFileError::Invalid {
            path: path.to_owned(),
            problems,
        })
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(offset)];
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// Reads the file again and makes the registered file checks match it. An
/// invalid file changes nothing.
pub async fn reload(db: &Database, path: &Path) -> Result<SyncReport, ChecksFileError> {
    let path_owned = path.to_owned();
    // A small file, but still blocking I/O: off the async workers.
    let specs = tokio::task::spawn_blocking(move || load(&path_owned))
        .await
        .map_err(|join| ChecksFileError::Read {
            path: path.to_owned(),
            source: std::io::Error::other(join),
        })??;
    apply(db, path, &specs).await
}

async fn apply(
    db: &Database,
    path: &Path,
    specs: &[CheckSpec],
) -> Result<SyncReport, ChecksFileError> {
    let report = db
        .sync_file_checks(specs)
        .await
        .map_err(|source| ChecksFileError::Storage {
            path: path.to_owned(),
            source,
        })?;
    for name in &report.refused {
        tracing::warn!(path = %path.display(), check = %name, "checks file names a check made in the ui or api; left as it is");
    }
    tracing::info!(
        path = %path.display(),
        added = report.added,
        updated = report.updated,
        removed = report.removed,
        unchanged = report.unchanged,
        refused = report.refused.len(),
        "checks file applied"
    );
    Ok(report)
}

/// Registers the checks `load` read at start, once the schema is ready,
/// then reloads the file on every SIGHUP until `cancel`.
pub async fn run(db: Database, path: PathBuf, initial: Vec<CheckSpec>, cancel: CancellationToken) {
    // Listen before the first sync: SIGHUP's default action ends the process.
    let mut hangups = hangup_signals();
    if !apply_when_ready(&db, &path, &initial, &cancel).await {
        return;
    }
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = next_hangup(&mut hangups) => {}
        }
        tracing::info!(path = %path.display(), "sighup; reloading the checks file");
        if let Err(error) = reload(&db, &path).await {
            log_failure(&error);
        }
    }
}

/// Syncs `specs`, retrying while the database is down or not yet migrated.
/// False if cancelled first.
async fn apply_when_ready(
    db: &Database,
    path: &Path,
    specs: &[CheckSpec],
    cancel: &CancellationToken,
) -> bool {
    let mut delay = Duration::from_millis(200);
    loop {
        if let Readiness::Ready = db.readiness().await {
            match apply(db, path, specs).await {
                Ok(_) => return true,
                Err(error) => log_failure(&error),
            }
        }
        tokio::select! {
            () = cancel.cancelled() => return false,
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

fn log_failure(error: &ChecksFileError) {
    match error {
        ChecksFileError::Invalid { path, problems } => {
            for problem in problems {
                tracing::error!(path = %path.display(), problem = %problem, "invalid check in the checks file");
            }
            tracing::error!(path = %path.display(), problems = problems.len(), "checks file not applied; the registered checks stay");
        }
        error => {
            tracing::error!(error = %error, "checks file not applied; the registered checks stay");
        }
    }
}

#[cfg(unix)]
type Hangups = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangups = ();

#[cfg(unix)]
fn hangup_signals() -> Hangups {
    use tokio::signal::unix::{SignalKind, signal};
    signal(SignalKind::hangup())
        .inspect_err(|error| tracing::error!(error = %error, "cannot listen for sighup; the checks file loads only at start"))
        .ok()
}

#[cfg(not(unix))]
fn hangup_signals() -> Hangups {}

/// The next SIGHUP; never, if there is no way to hear one.
#[cfg(unix)]
async fn next_hangup(hangups: &mut Hangups) {
    let received = match hangups {
        Some(signal) => signal.recv().await.is_some(),
        None => false,
    };
    if !received {
        std::future::pending::<()>().await;
    }
}

#[cfg(not(unix))]
async fn next_hangup(_: &mut Hangups) {
    std::future::pending::<()>().await
}

#[cfg(test)]
#[path = "checks_file_tests.rs"]
mod tests;
