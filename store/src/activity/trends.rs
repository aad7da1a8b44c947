//! Per category and hour: the delivery rate and the time from Dispatched to Delivered, for
//! the tenant's analytics charts.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::tenants::TenantId;

/// One hour of one category: its outcomes and, when messages were delivered, how long
/// they took (None for hours without any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendHour {
    pub category: String,
    pub hour: DateTime<Utc>,
    pub delivered: i64,
    pub failed: i64,
    pub p50_ms: Option<i64>,
    pub p95_ms: Option<i64>,
}

/// Every hour since `since` (empty ones included) for each of `categories`.
pub async fn trends(
    pool: &PgPool,
    tenant: TenantId,
    categories: &[String],
    since: DateTime<Utc>,
) -> Result<Vec<TrendHour>, sqlx::Error> {
    sqlx::query_as!(
        TrendHour,
        r#"
        SELECT c.category AS "category!", s.hour AS "hour!",
               coalesce(o.delivered, 0) AS "delivered!", coalesce(o.failed, 0) AS "failed!",
               -- Hours rolled up before histograms were kept have their percentiles.
               coalesce(delivery_quantile(d.histogram, 0.5), d.p50_ms) AS "p50_ms?",
               coalesce(delivery_quantile(d.histogram, 0.95), d.p95_ms) AS "p95_ms?"
        FROM unnest($2::text[]) AS c (category)
        CROSS JOIN generate_series(date_trunc('hour', $3::timestamptz, 'UTC'),
                                   date_trunc('hour', now(), 'UTC'), interval '1 hour') AS s (hour)
        LEFT JOIN hourly_outcomes o
            ON o.tenant_id = $1 AND o.hour = s.hour AND o.category = c.category
        LEFT JOIN hourly_delivery_times d
            ON d.tenant_id = $1 AND d.hour = s.hour AND d.category = c.category
        ORDER BY c.category, s.hour
        "#,
        tenant.0,
        categories,
        since,
    )
    .fetch_all(pool)
    .await
}
