//! Server functions of the rules page: the rules, saving and deleting one
//! (admins), and the preview of a rule being written.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::alert::AlertRule;
use crate::model::rule_form::RuleForm;
use crate::model::rule_preview::RulePreview;

/// The rules, and the notification targets a rule may name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesData {
    pub rules: Vec<AlertRule>,
    pub targets: Vec<String>,
}

#[server(prefix = "/rpc", endpoint = "rules_list")]
pub async fn rules_list() -> Result<RulesData, AppError> {
    crate::auth::require(crate::model::role::Role::Viewer)?;
    let db = crate::state::app_state()?.db;
    Ok(RulesData {
        rules: db.alert_rules(false).await?,
        targets: db
            .notification_targets()
            .await?
            .into_iter()
            .map(|t| t.name)
            .collect(),
    })
}

/// The form as a checked rule, or a message per field.
#[cfg(feature = "ssr")]
async fn checked(
    db: &crate::storage::Database,
    form: &RuleForm,
) -> Result<crate::model::alert_rule_input::RuleSpec, AppError> {
    let input = form.to_input().map_err(AppError::InvalidInput)?;
    db.check_rule(&input).await?.map_err(AppError::InvalidInput)
}

/// Creates (no id) or replaces a rule; its id.
#[server(prefix = "/rpc", endpoint = "save_rule")]
pub async fn save_rule(id: Option<i64>, form: RuleForm) -> Result<i64, AppError> {
    use crate::model::audit::AuditAction;
    use crate::storage::StorageError;
    let user = crate::auth::require(crate::model::role::Role::Admin)?;
    let db = crate::state::app_state()?.db;
    let spec = checked(&db, &form).await?;
    let name_taken = |error: StorageError| match error {
        StorageError::NameTaken => AppError::InvalidInput(vec![crate::search_form::FieldError {
            field: "name".to_owned(),
            message: "another rule has this name".to_owned(),
        }]),
        other => other.into(),
    };
    let (id, action) = match id {
        Some(id) => {
            if !db.update_alert_rule(id, &spec).await.map_err(name_taken)? {
                return Err(AppError::NotFound("rule".to_owned()));
            }
            (id, AuditAction::RuleUpdate)
        }
        None => (
            db.create_alert_rule(&spec).await.map_err(name_taken)?,
            AuditAction::RuleCreate,
        ),
    };
    crate::auth::audit(&user, action, &spec.name, "").await;
    Ok(id)
}

/// Deletes a rule that is not built in (those are disabled instead).
#[server(prefix = "/rpc", endpoint = "delete_rule")]
pub async fn delete_rule(id: i64) -> Result<(), AppError> {
    use crate::model::audit::AuditAction;
    let user = crate::auth::require(crate::model::role::Role::Admin)?;
    let db = crate::state::app_state()?.db;
    let rule = db
        .alert_rule(id)
        .await?
        .ok_or_else(|| AppError::NotFound("rule".to_owned()))?;
    if !db.delete_alert_rule(id).await? {
        return Err(AppError::Refused(
            "built-in rules are disabled, not deleted".to_owned(),
        ));
    }
    crate::auth::audit(&user, AuditAction::RuleDelete, &rule.name, "").await;
    Ok(())
}

/// What the rule being written would have done over the last hours.
#[server(prefix = "/rpc", endpoint = "preview_rule")]
pub async fn preview_rule(form: RuleForm) -> Result<RulePreview, AppError> {
    crate::auth::require(crate::model::role::Role::Admin)?;
    let state = crate::state::app_state()?;
    let spec = checked(&state.db, &form).await?;
    let rule = spec.into_rule(0, false);
    Ok((state.preview_rule)(state.db.clone(), rule).await?)
}
