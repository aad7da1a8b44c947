//! What was refused and why ("uid hygiene"): reports without a usable uid and calls whose
//! body was not a delivery report, counted per tenant, reason and day, with the offending
//! values most often seen.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::tenants::TenantId;

/// Reason code of calls whose body was not a delivery report (`malformed_calls`); the
/// others are `rejections.reason` codes.
pub const MALFORMED: &str = "malformed";

/// How many of one tenant's calls were refused for one reason on one UTC day.
#[derive(Debug, Clone)]
pub struct DailyCount {
    pub tenant: TenantId,
    pub reason: String,
    pub day: DateTime<Utc>,
    pub count: i64,
}

pub async fn daily_counts(
    pool: &PgPool,
    scope: &[TenantId],
    since: DateTime<Utc>,
) -> Result<Vec<DailyCount>, sqlx::Error> {
    let scope: Vec<i64> = scope.iter().map(|id| id.0).collect();
    sqlx::query_as!(
        DailyCount,
        r#"
        SELECT tenant_id AS "tenant!: TenantId", reason AS "reason!",
               date_trunc('day', received_at, 'UTC') AS "day!", count(*) AS "count!"
        FROM (
            SELECT tenant_id, reason, received_at FROM rejections
            WHERE tenant_id = ANY($1) AND received_at >= $2
              AND received_on >= ($2 AT TIME ZONE 'UTC')::date
            UNION ALL
            SELECT tenant_id, 'malformed', received_at FROM malformed_calls
            WHERE tenant_id = ANY($1) AND received_at >= $2
        ) refused
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        "#,
        &scope,
        since,
    )
    .fetch_all(pool)
    .await
}

/// A value that was refused, how often and when last: a client_reference (or, for a
/// malformed call, the start of its body) and what was wrong with it.
#[derive(Debug, Clone)]
pub struct Sample {
    pub tenant: TenantId,
    pub reason: String,
    pub value: Option<String>,
    pub detail: String,
    pub count: i64,
    pub last_at: DateTime<Utc>,
}

/// Up to `per_reason` of the values most often refused per tenant and reason.
pub async fn samples(
    pool: &PgPool,
    scope: &[TenantId],
    since: DateTime<Utc>,
    per_reason: i64,
) -> Result<Vec<Sample>, sqlx::Error> {
    let scope: Vec<i64> = scope.iter().map(|id| id.0).collect();
    sqlx::query_as!(
        Sample,
        r#"
        SELECT tenant_id AS "tenant!: TenantId", reason AS "reason!", value, detail AS "detail!",
               count AS "count!", last_at AS "last_at!"
        FROM (
            SELECT *, row_number() OVER (PARTITION BY tenant_id, reason
                                         ORDER BY count DESC, last_at DESC) AS rank
            FROM (
                SELECT tenant_id, reason, client_reference AS value, min(detail) AS detail,
                       count(*) AS count, max(received_at) AS last_at
                FROM rejections
                WHERE tenant_id = ANY($1) AND received_at >= $2
                  AND received_on >= ($2 AT TIME ZONE 'UTC')::date
                GROUP BY tenant_id, reason, client_reference
                UNION ALL
                SELECT tenant_id, 'malformed', left(body_excerpt, 200), min(reason),
                       count(*), max(received_at)
                FROM malformed_calls
                WHERE tenant_id = ANY($1) AND received_at >= $2
                GROUP BY tenant_id, left(body_excerpt, 200)
            ) grouped
        ) ranked
        WHERE rank <= $3
        ORDER BY tenant_id, reason, count DESC, last_at DESC
        "#,
        &scope,
        since,
        per_reason,
    )
    .fetch_all(pool)
    .await
}
