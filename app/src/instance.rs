use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The state of the database as the UI reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DatabaseState {
    Ready,
    MigrationsPending,
    Unreachable,
}

impl DatabaseState {
    pub fn label(self) -> &'static str {
        match self {
            DatabaseState::Ready => "database ready",
            DatabaseState::MigrationsPending => "database migrating",
            DatabaseState::Unreachable => "database unreachable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceStatus {
    pub version: String,
    pub database: DatabaseState,
}

/// Shown in the footer, so people notice when Watchpost itself is unwell.
#[server(prefix = "/rpc", endpoint = "instance_status")]
pub async fn get_instance_status() -> Result<InstanceStatus, AppError> {
    use crate::storage::Readiness;

    let state = crate::state::app_state()?;
    let database = match state.db.readiness().await {
        Readiness::Ready => DatabaseState::Ready,
        Readiness::MigrationsPending { .. } => DatabaseState::MigrationsPending,
        Readiness::Unreachable(_) => DatabaseState::Unreachable,
    };
    Ok(InstanceStatus {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database,
    })
}
