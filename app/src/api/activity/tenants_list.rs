//! The tenants list: a row per tenant with its day, its backlog and its health.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::error::ApiError;

#[cfg(feature = "ssr")]
use super::ssr;
use super::{Counts, Health, Moment};

/// One row of the tenants list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantActivity {
    pub app_key: String,
    pub name: String,
    pub data_center: String,
    pub enabled: bool,
    pub last_report: Option<Moment>,
    pub day: Counts,
    pub dead_letters: i64,
    pub backlog: i64,
    pub health: Health,
    /// Calls Sinch made while the integration was disabled (since it was last enabled).
    pub waiting_calls: i64,
}

/// The tenants list's rows.
#[server(endpoint = "tenants_activity")]
pub async fn tenants_activity() -> Result<Vec<TenantActivity>, ApiError> {
    use crate::api::access::{allowed, pool};
    let principal = allowed(domain::access::Action::ViewEvents)?;
    let now = chrono::Utc::now();
    let pool = pool()?;
    let rows = store::activity::tenants(
        &pool,
        principal.visible_tenants(),
        now - chrono::Duration::hours(23),
    )
    .await?;
    let forwarding = ssr::forwarding_of(&pool, &rows).await?;
    Ok(rows
        .iter()
        .map(|row| ssr::tenant_activity(row, forwarding.get(&row.id), now))
        .collect())
}
