//! The landing page: the last 24 hours across the user's tenants, and what needs someone.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::error::ApiError;

#[cfg(feature = "ssr")]
use super::ssr;
use super::{Counts, HourPoint};

/// Something someone should look at, with where to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    pub tenant: String,
    pub problem: String,
    pub action: String,
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub tenants: usize,
    pub day: Counts,
    pub dead_letters: i64,
    pub backlog: i64,
    /// How long the oldest waiting event has waited.
    pub backlog_age: Option<String>,
    pub hours: Vec<HourPoint>,
    pub attention: Vec<Attention>,
    /// An admin with no tenant yet, where forwarding goes to the MoEngage simulator, is
    /// offered the demo (`api::demo`).
    pub demo_offered: bool,
}

/// The landing page: the last 24 hours across the user's tenants.
#[server(endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, ApiError> {
    use domain::access::Action;

    use crate::api::access::{allowed, pool, read_pool};
    let principal = allowed(Action::ViewEvents)?;
    let pool = pool()?;
    let now = chrono::Utc::now();
    let since = now - chrono::Duration::hours(23);
    let scope = principal.visible_tenants();
    let tenants = store::activity::tenants(&pool, scope, since).await?;
    // The chart's hours; the rest is the live state of forwarding, read on the primary.
    let hours = store::activity::hours(&*read_pool()?, scope, since).await?;
    // Unregistered workspaces belong to no tenant: only people who register tenants see them.
    let unknown = if principal.may(Action::ManageTenants) {
        store::activity::unknown_workspaces(&pool, now - chrono::Duration::days(1)).await?
    } else {
        Vec::new()
    };
    let forwarding = ssr::forwarding_of(&pool, &tenants).await?;
    let mut day = Counts::default();
    for tenant in &tenants {
        day.add(&ssr::counts(tenant));
    }
    let oldest = tenants.iter().filter_map(|t| t.backlog_since).min();
    let demo_offered = tenants.is_empty()
        && principal.may(Action::RunDemo)
        && crate::api::demo::available().await
            == Some(crate::api::demo::DemoAvailability::Available);
    Ok(Overview {
        tenants: tenants.len(),
        day,
        dead_letters: tenants.iter().map(|t| t.dead_letters).sum(),
        backlog: tenants.iter().map(|t| t.backlog).sum(),
        backlog_age: oldest.map(|at| ssr::age(now - at)),
        hours: hours.iter().map(ssr::hour_point).collect(),
        attention: ssr::attention(&tenants, &forwarding, &unknown, now),
        demo_offered,
    })
}
