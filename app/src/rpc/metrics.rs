//! Server functions of the Metrics page: what can be charted, and one
//! chart.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::metric_chart::{MetricChart, MetricInfo};

/// Services with metrics, and the metrics of the chosen one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsCatalog {
    pub services: Vec<String>,
    /// The service the metrics are of: the chosen one, or the first.
    pub service: String,
    pub metrics: Vec<MetricInfo>,
}

#[server(prefix = "/rpc", endpoint = "metrics_catalog")]
pub async fn fetch_metrics_catalog(service: String) -> Result<MetricsCatalog, AppError> {
    crate::auth::require(crate::model::role::Role::Viewer)?;
    let db = crate::state::app_state()?.db;
    let services = db.metric_services().await?;
    let service = if services.contains(&service) {
        service
    } else {
        services.first().cloned().unwrap_or_default()
    };
    let metrics = if service.is_empty() {
        Vec::new()
    } else {
        db.service_metrics(&service).await?
    };
    Ok(MetricsCatalog {
        services,
        service,
        metrics,
    })
}

/// Buckets across the range.
#[cfg(feature = "ssr")]
const BUCKETS: usize = 60;

/// One metric of one service over the window, grouped by `group_by` (an
/// attribute key; empty for one line). An empty or unknown service or
/// metric means the first, as in [`fetch_metrics_catalog`], so the page can
/// ask for both at once.
#[server(prefix = "/rpc", endpoint = "metric_chart")]
pub async fn fetch_metric_chart(
    service: String,
    name: String,
    group_by: String,
    window: String,
) -> Result<Option<MetricChart>, AppError> {
    let catalog = fetch_metrics_catalog(service).await?;
    let Some(info) = catalog
        .metrics
        .iter()
        .find(|m| m.name == name)
        .or_else(|| catalog.metrics.first())
    else {
        return Ok(None);
    };
    let db = crate::state::app_state()?.db;
    let range = super::window_ns(&window);
    let group_by = if info.attribute_keys.contains(&group_by) {
        group_by
    } else {
        String::new()
    };
    let points = db
        .chart_points(&catalog.service, &info.name, &group_by, range)
        .await?;
    Ok(Some(crate::model::metric_chart::chart(
        &points,
        range,
        BUCKETS,
        !group_by.is_empty(),
        &info.unit,
    )))
}
