//! The audit log's vocabulary: who did what, when, and from where.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One audit record, as the audit page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The username at the time, "anonymous" or "cli".
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub address: Option<String>,
}

/// Who acts, for a record about to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub address: Option<String>,
}

impl Actor {
    /// Changes made with the `watchpost` command on the server itself.
    pub fn cli() -> Actor {
        Actor {
            user_id: None,
            name: "cli".to_owned(),
            address: None,
        }
    }
}

/// What is recorded. The names are stable: people filter and alert on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Login,
    LoginFailed,
    Logout,
    Setup,
    CheckCreate,
    CheckUpdate,
    CheckDelete,
    CheckPause,
    CheckResume,
    KeyCreate,
    KeyRevoke,
    TokenCreate,
    TokenRevoke,
    UserCreate,
    UserDisable,
    UserEnable,
    UserRole,
    AlertAck,
    AlertUnack,
    AlertResolve,
    TargetCreate,
    TargetDelete,
    RuleCreate,
    RuleUpdate,
    RuleDelete,
    SilenceCreate,
    SilenceUpdate,
    SilenceExpire,
    /// Someone ended their other sessions.
    SessionsEnd,
    /// A signed-in user was refused for their role.
    Forbidden,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login.failed",
            AuditAction::Logout => "logout",
            AuditAction::Setup => "setup",
            AuditAction::CheckCreate => "check.create",
            AuditAction::CheckUpdate => "check.update",
            AuditAction::CheckDelete => "check.delete",
            AuditAction::CheckPause => "check.pause",
            AuditAction::CheckResume => "check.resume",
            AuditAction::KeyCreate => "ingest_key.create",
            AuditAction::KeyRevoke => "ingest_key.revoke",
            AuditAction::TokenCreate => "api_token.create",
            AuditAction::TokenRevoke => "api_token.revoke",
            AuditAction::UserCreate => "user.create",
            AuditAction::UserDisable => "user.disable",
            AuditAction::UserEnable => "user.enable",
            AuditAction::UserRole => "user.role",
            AuditAction::SessionsEnd => "sessions.end",
            AuditAction::AlertAck => "alert.ack",
            AuditAction::AlertUnack => "alert.unack",
            AuditAction::AlertResolve => "alert.resolve",
            AuditAction::TargetCreate => "notification_target.create",
            AuditAction::TargetDelete => "notification_target.delete",
            AuditAction::RuleCreate => "rule.create",
            AuditAction::RuleUpdate => "rule.update",
            AuditAction::RuleDelete => "rule.delete",
            AuditAction::SilenceCreate => "silence.create",
            AuditAction::SilenceUpdate => "silence.update",
            AuditAction::SilenceExpire => "silence.expire",
            AuditAction::Forbidden => "forbidden",
        }
    }
}
