//! The `alert_rules` table: the evaluator's rules, created, edited and
//! deleted through the rules API.

use sqlx::FromRow;

use super::corrupt;
use crate::model::alert::{AlertRule, Comparison, RuleKind, Severity};
use crate::model::alert_rule_input::RuleSpec;
use crate::storage::{Database, StorageError};

#[derive(FromRow)]
struct RuleRow {
    id: i64,
    name: String,
    kind: String,
    statistic: String,
    services: Vec<String>,
    comparison: String,
    threshold: f64,
    window_secs: i32,
    for_secs: i32,
    severity: String,
    labels: serde_json::Value,
    runbook_url: String,
    enabled: bool,
    builtin: bool,
    notify: Vec<String>,
    operation: String,
}

impl TryFrom<RuleRow> for AlertRule {
    type Error = StorageError;

    fn try_from(row: RuleRow) -> Result<AlertRule, StorageError> {
        let labels = serde_json::from_value(row.labels)
            .map_err(|_| corrupt("labels", "not an object of strings"))?;
        Ok(AlertRule {
            kind: RuleKind::parse(&row.kind).ok_or_else(|| corrupt("kind", &row.kind))?,
            comparison: Comparison::parse(&row.comparison)
                .ok_or_else(|| corrupt("comparison", &row.comparison))?,
            severity: Severity::parse(&row.severity)
                .ok_or_else(|| corrupt("severity", &row.severity))?,
            id: row.id,
            name: row.name,
            statistic: row.statistic,
            services: row.services,
            threshold: row.threshold,
            window_secs: row.window_secs,
            for_secs: row.for_secs,
            labels,
            runbook_url: row.runbook_url,
            enabled: row.enabled,
            builtin: row.builtin,
            notify: row.notify,
            operation: row.operation,
        })
    }
}

const RULE_COLUMNS: &str = "id, name, kind, statistic, services, comparison, threshold, \
     window_secs, for_secs, severity, labels, runbook_url, enabled, builtin, notify, operation";

impl Database {
    /// The input checked as far as the database can tell too: the
    /// notification targets it names exist. The outer error is the
    /// database's, the inner one the input's.
    pub async fn check_rule(
        &self,
        input: &crate::model::alert_rule_input::RuleInput,
    ) -> Result<Result<RuleSpec, Vec<crate::search_form::FieldError>>, StorageError> {
        let spec = match input.validate() {
            Ok(spec) => spec,
            Err(errors) => return Ok(Err(errors)),
        };
        let targets = self.notification_targets().await?;
        if let Some(unknown) = spec
            .notify
            .iter()
            .find(|name| !targets.iter().any(|t| &t.name == *name))
        {
            return Ok(Err(vec![crate::search_form::FieldError {
                field: "notify".to_owned(),
                message: format!("there is no notification target named {unknown:?}"),
            }]));
        }
        Ok(Ok(spec))
    }

    /// Every rule, or only the enabled ones, by name.
    pub async fn alert_rules(&self, enabled_only: bool) -> Result<Vec<AlertRule>, StorageError> {
        let rows: Vec<RuleRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {RULE_COLUMNS} from alert_rules where enabled or not $1 order by name"
        )))
        .bind(enabled_only)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(AlertRule::try_from).collect()
    }

    pub async fn alert_rule(&self, id: i64) -> Result<Option<AlertRule>, StorageError> {
        let row: Option<RuleRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {RULE_COLUMNS} from alert_rules where id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(AlertRule::try_from).transpose()
    }

    /// Stores a new rule; its id. A taken name is `NameTaken`.
    pub async fn create_alert_rule(&self, spec: &RuleSpec) -> Result<i64, StorageError> {
        let query = sqlx::query(
            "insert into alert_rules (name, kind, statistic, services, comparison, threshold, \
             window_secs, for_secs, severity, labels, runbook_url, enabled, notify, operation) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning id",
        );
        let row = bind_rule(query, spec)
            .fetch_one(self.pool())
            .await
            .map_err(name_taken)?;
        Ok(sqlx::Row::try_get(&row, "id")?)
    }

    /// Replaces a rule's settings; false when there is no such rule.
    pub async fn update_alert_rule(&self, id: i64, spec: &RuleSpec) -> Result<bool, StorageError> {
        let query = sqlx::query(
            "update alert_rules set name = $1, kind = $2, statistic = $3, services = $4, \
             comparison = $5, threshold = $6, window_secs = $7, for_secs = $8, severity = $9, \
             labels = $10, runbook_url = $11, enabled = $12, notify = $13, operation = $14, \
             updated_at = now() where id = $15",
        );
        let done = bind_rule(query, spec)
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(name_taken)?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes a rule that is not built in (those are disabled instead),
    /// with its alerts; false when there is no such deletable rule.
    pub async fn delete_alert_rule(&self, id: i64) -> Result<bool, StorageError> {
        let done = sqlx::query("delete from alert_rules where id = $1 and not builtin")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Binds a rule's fourteen settings as $1..$14, in the column order of
/// `create_alert_rule` and `update_alert_rule`.
fn bind_rule<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    spec: &'q RuleSpec,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    query
        .bind(&spec.name)
        .bind(spec.kind.as_str())
        .bind(&spec.statistic)
        .bind(&spec.services)
        .bind(spec.comparison.as_str())
        .bind(spec.threshold)
        .bind(spec.window_secs)
        .bind(spec.for_secs)
        .bind(spec.severity.as_str())
        .bind(labels_json(spec))
        .bind(&spec.runbook_url)
        .bind(spec.enabled)
        .bind(&spec.notify)
        .bind(&spec.operation)
}

fn labels_json(spec: &RuleSpec) -> serde_json::Value {
    serde_json::to_value(&spec.labels).unwrap_or_default()
}

fn name_taken(error: sqlx::Error) -> StorageError {
    match &error {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => {
            StorageError::NameTaken
        }
        _ => StorageError::from(error),
    }
}
