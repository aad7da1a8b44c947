//! A tenant's Activity tab: hours, categories, trends and the latest rejections.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::error::ApiError;

#[cfg(feature = "ssr")]
use super::ssr;
use super::{HourPoint, Moment};

/// A category's delivery rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryRate {
    pub category: String,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
}

impl CategoryRate {
    pub fn delivered_percent(&self) -> Option<f64> {
        let finished = self.delivered + self.failed;
        (finished > 0).then(|| self.delivered as f64 * 100.0 / finished as f64)
    }
}

/// A report whose uid could not be used, as customer success explains it to the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionSample {
    pub at: Moment,
    pub reason: String,
    pub detail: String,
    pub client_reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantCharts {
    pub day: Vec<HourPoint>,
    pub week: Vec<HourPoint>,
    pub categories: Vec<CategoryRate>,
    /// The latest reports rejected for their uid (at most 10).
    pub rejections: Vec<RejectionSample>,
    /// The busiest categories' delivery rate and time to deliver, hour by hour.
    pub trends: Vec<CategoryTrend>,
}

/// How many categories get trend charts (the busiest).
pub const TREND_CATEGORIES: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryTrend {
    /// Empty for reports without a category.
    pub category: String,
    pub points: Vec<TrendPoint>,
}

/// One hour of a category; None where the hour had nothing to measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub label: String,
    pub exact: String,
    /// Delivered out of delivered + failed, in tenths of a percent.
    pub rate_permille: Option<i64>,
    /// Dispatched -> Delivered, median and 95th percentile, in milliseconds.
    pub p50_ms: Option<i64>,
    pub p95_ms: Option<i64>,
}

/// A tenant's charts: per hour over 24 hours and 7 days, and delivery rate by category.
#[server(endpoint = "tenant_charts")]
pub async fn get_tenant_charts(app_key: String) -> Result<TenantCharts, ApiError> {
    use crate::api::access::{allowed, read_pool};
    use crate::api::tenants::visible;

    let principal = allowed(domain::access::Action::ViewEvents)?;
    let tenant = visible(&principal, &app_key).await?;
    let pool = read_pool()?;
    let now = chrono::Utc::now();
    let only = [tenant.id];
    let week =
        store::activity::hours(&pool, Some(&only), now - chrono::Duration::hours(167)).await?;
    let categories =
        store::activity::categories(&pool, tenant.id, now - chrono::Duration::days(7)).await?;
    let rejections = store::activity::latest_rejections(&pool, tenant.id, 10).await?;
    let busiest: Vec<String> = categories
        .iter()
        .take(TREND_CATEGORIES)
        .map(|c| c.category.clone())
        .collect();
    let hours = store::activity::trends(
        &pool,
        tenant.id,
        &busiest,
        now - chrono::Duration::hours(167),
    )
    .await?;
    let week: Vec<HourPoint> = week.iter().map(ssr::hour_point).collect();
    Ok(TenantCharts {
        trends: ssr::trends(&busiest, &hours),
        day: week[week.len().saturating_sub(24)..].to_vec(),
        week,
        categories: categories
            .into_iter()
            .map(|c| CategoryRate {
                category: c.category,
                sent: c.sent,
                delivered: c.delivered,
                failed: c.failed,
            })
            .collect(),
        rejections: rejections
            .into_iter()
            .map(|r| RejectionSample {
                at: ssr::moment(r.received_at, now),
                reason: r.reason,
                detail: r.detail,
                client_reference: r.client_reference,
            })
            .collect(),
    })
}
