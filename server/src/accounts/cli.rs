//! `watchpost user add|disable|enable` and `watchpost token create`:
//! accounts from the command line, for automated installs and for locking
//! someone out at once.

use std::io::{BufRead, IsTerminal, Write};

use app::model::account::{self, AccountRuleError};
use app::model::audit::{Actor, AuditAction};
use app::model::role::Role;
use app::storage::accounts::AccountStoreError;
use app::storage::accounts::tokens;
use app::storage::accounts::users::{self, NewUser};
use app::storage::{Database, StorageError};
use clap::{Args, Subcommand};

use crate::config::DatabaseConfig;

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from standard input, never from
    /// an argument (arguments end up in shell history and `ps`).
    Add(AddArgs),
    /// Disable a user: their sessions end at once and they cannot log in.
    Disable(NameArgs),
    /// Enable a disabled user again (old sessions stay ended).
    Enable(NameArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long)]
    username: String,
    /// viewer, responder or admin.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// Shown in the header; the username when left out.
    #[arg(long)]
    display_name: Option<String>,
    /// Read the password as one line from standard input without a prompt
    /// (for scripts: `printf '%s\n' "$PW" | watchpost user add ...`).
    #[arg(long)]
    password_stdin: bool,
    #[command(flatten)]
    database: DatabaseConfig,
}

#[derive(Debug, Args)]
pub struct NameArgs {
    username: String,
    #[command(flatten)]
    database: DatabaseConfig,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a personal API token for a user and print it (once). It acts
    /// with the user's role; revoke it on their profile page.
    Create(TokenCreateArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// Whose token it is.
    #[arg(long)]
    user: String,
    /// What it is for, shown in the user's list of tokens.
    #[arg(long, default_value = "automation")]
    name: String,
    #[command(flatten)]
    database: DatabaseConfig,
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| "expected viewer, responder or admin".to_owned())
}

#[derive(Debug, thiserror::Error)]
pub enum UserCommandError {
    #[error("{0}")]
    Rule(#[from] AccountRuleError),
    #[error("cannot read the password: {0}")]
    Stdin(std::io::Error),
    #[error("a user named {0:?} exists already")]
    Taken(String),
    #[error("no user named {0:?}")]
    NoSuchUser(String),
    #[error("{0}")]
    Store(AccountStoreError),
    #[error("{0}")]
    Database(#[from] StorageError),
    #[error("{0}")]
    Password(#[from] super::password::PasswordError),
    #[error("a token name is 1 to 64 characters")]
    BadTokenName,
    #[error("the system random number generator failed")]
    Random,
}

impl From<AccountStoreError> for UserCommandError {
    fn from(error: AccountStoreError) -> Self {
        UserCommandError::Store(error)
    }
}

/// Runs the command; the answer is the line to print.
pub async fn run(args: UserArgs) -> Result<String, UserCommandError> {
    let database = match &args.command {
        UserCommand::Add(add) => &add.database,
        UserCommand::Disable(name) | UserCommand::Enable(name) => &name.database,
    };
    let db = Database::connect_lazy(&database.settings())?;
    // A fresh install can create its admin before the server ever ran.
    db.migrate().await?;
    let result = match args.command {
        UserCommand::Add(args) => add(&db, args).await,
        UserCommand::Disable(args) => set_disabled(&db, args.username, true).await,
        UserCommand::Enable(args) => set_disabled(&db, args.username, false).await,
    };
    db.close().await;
    result
}

/// `watchpost token create`; the answer is the token, alone on its line,
/// so scripts can capture it.
pub async fn run_token(args: TokenArgs) -> Result<String, UserCommandError> {
    let TokenCommand::Create(args) = args.command;
    let name = args.name.trim();
    account::check_token_name(name).map_err(|_| UserCommandError::BadTokenName)?;
    let db = Database::connect_lazy(&args.database.settings())?;
    let result = async {
        let record = users::find_for_login(&db, &args.user).await?;
        let user = record.ok_or_else(|| UserCommandError::NoSuchUser(args.user.clone()))?;
        let made = super::api_token::mint(super::api_token::TOKEN_PREFIX)
            .ok_or(UserCommandError::Random)?;
        tokens::create(&db, user.user.id, name, &made.prefix, &made.hash).await?;
        let target = format!("{} ({name})", user.user.username);
        audit(&db, AuditAction::TokenCreate, &target).await?;
        Ok(made.secret)
    }
    .await;
    db.close().await;
    result
}

/// Changes made here are audited as the command line's.
async fn audit(db: &Database, action: AuditAction, target: &str) -> Result<(), StorageError> {
    db.audit(&Actor::cli(), action, target, "").await
}

async fn add(db: &Database, args: AddArgs) -> Result<String, UserCommandError> {
    let AddArgs {
        username,
        role,
        display_name,
        password_stdin,
        ..
    } = args;
    account::check_username(&username)?;
    let display_name = display_name.unwrap_or_else(|| username.clone());
    account::check_display_name(&display_name)?;
    let password = read_password(password_stdin)?;
    account::check_password(&password)?;
    let user = NewUser {
        username: username.clone(),
        display_name: display_name.trim().to_owned(),
        password_hash: super::password::hash(password).await?,
        role,
    };
    match users::create(db, &user).await {
        Ok(_) => {
            audit(db, AuditAction::UserCreate, &username).await?;
            Ok(format!("created {role} {username}"))
        }
        Err(AccountStoreError::UsernameTaken) => Err(UserCommandError::Taken(username)),
        Err(other) => Err(other.into()),
    }
}

async fn set_disabled(
    db: &Database,
    username: String,
    disabled: bool,
) -> Result<String, UserCommandError> {
    if !users::set_disabled(db, &username, disabled).await? {
        return Err(UserCommandError::NoSuchUser(username));
    }
    let action = match disabled {
        true => AuditAction::UserDisable,
        false => AuditAction::UserEnable,
    };
    audit(db, action, &username).await?;
    let done = if disabled { "disabled" } else { "enabled" };
    Ok(format!("{done} {username}"))
}

/// One line from standard input. At a terminal (no `--password-stdin`) it
/// prompts and asks twice; note that the terminal echoes what is typed, so
/// prefer piping the password in.
fn read_password(password_stdin: bool) -> Result<String, UserCommandError> {
    let stdin = std::io::stdin();
    let interactive = !password_stdin && stdin.is_terminal();
    let mut lines = stdin.lock();
    let mut read = |prompt: &str| -> Result<String, UserCommandError> {
        if interactive {
            eprint!("{prompt}");
            let _ = std::io::stderr().flush();
        }
        let mut line = String::new();
        lines
            .read_line(&mut line)
            .map_err(UserCommandError::Stdin)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    };
    let password = read("password (echoed): ")?;
    if interactive {
        let repeated = read("again: ")?;
        account::check_new_password(&password, &repeated)?;
    }
    Ok(password)
}
