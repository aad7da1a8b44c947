//! What is happening per tenant, for the console: counts per hour rolled up from the raw
//! tables (see `rollup`), and the live facts that need no roll-up because an index answers
//! them directly (the last report, the backlog, dead letters, refused calls).
//!
//! Every read takes the caller's tenant scope (`None` = every tenant) and applies it in
//! the query, and none of them shows deleted tenants.

mod rollup;
mod trends;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

pub use rollup::{recount, roll_up, RollUp};
pub use trends::{trends, TrendHour};

use crate::tenants::TenantId;

/// One tenant's counts over a window, with the live state of its forwarding.
#[derive(Debug, Clone)]
pub struct TenantActivity {
    pub id: TenantId,
    pub app_key: String,
    pub name: String,
    pub data_center: i16,
    pub integration_enabled: bool,
    pub received: i64,
    pub rejected: i64,
    /// Rejected in the six days before the window: the baseline a rise is judged against.
    pub rejected_before: i64,
    pub forwarded: i64,
    pub dead_lettered: i64,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
    pub last_report_at: Option<DateTime<Utc>>,
    /// Events waiting to be forwarded, and since when the oldest has waited.
    pub backlog: i64,
    pub backlog_since: Option<DateTime<Utc>>,
    /// Dead letters now (replayed ones no longer count).
    pub dead_letters: i64,
    pub forwarding_paused_at: Option<DateTime<Utc>>,
    pub forwarding_paused_reason: Option<String>,
    /// Calls Sinch made while the integration was disabled (since it was last enabled),
    /// and calls that failed authentication.
    pub refused_disabled: i64,
    pub refused_disabled_last: Option<DateTime<Utc>>,
    pub refused_unauthorized: i64,
    pub refused_unauthorized_last: Option<DateTime<Utc>>,
}

/// Each visible tenant's activity since `since`, by name.
pub async fn tenants(
    pool: &PgPool,
    only: Option<&[TenantId]>,
    since: DateTime<Utc>,
) -> Result<Vec<TenantActivity>, sqlx::Error> {
    let only = ids(only);
    sqlx::query_as!(
        TenantActivity,
        r#"
        SELECT t.id AS "id: TenantId", t.app_key, t.name, t.data_center, t.integration_enabled,
               coalesce(tr.received, 0) AS "received!", coalesce(tr.rejected, 0) AS "rejected!",
               coalesce(before.rejected, 0) AS "rejected_before!",
               coalesce(tr.forwarded, 0) AS "forwarded!",
               coalesce(tr.dead_lettered, 0) AS "dead_lettered!",
               coalesce(oc.sent, 0) AS "sent!", coalesce(oc.delivered, 0) AS "delivered!",
               coalesce(oc.failed, 0) AS "failed!",
               (SELECT max(r.received_at) FROM reports r WHERE r.tenant_id = t.id) AS last_report_at,
               q.backlog AS "backlog!", q.since AS "backlog_since?",
               (SELECT count(*) FROM events e WHERE e.tenant_id = t.id AND e.forward_state = 'dead')
                   AS "dead_letters!",
               t.forwarding_paused_at, t.forwarding_paused_reason,
               coalesce(off.calls, 0) AS "refused_disabled!", off.last_at AS "refused_disabled_last?",
               coalesce(bad.calls, 0) AS "refused_unauthorized!",
               bad.last_at AS "refused_unauthorized_last?"
        FROM tenants t
        LEFT JOIN LATERAL (
            SELECT sum(received)::bigint AS received, sum(rejected)::bigint AS rejected,
                   sum(forwarded)::bigint AS forwarded, sum(dead_lettered)::bigint AS dead_lettered
            FROM hourly_traffic h WHERE h.tenant_id = t.id AND h.hour >= date_trunc('hour', $2::timestamptz, 'UTC')
        ) tr ON true
        LEFT JOIN LATERAL (
            SELECT sum(rejected)::bigint AS rejected FROM hourly_traffic h
            WHERE h.tenant_id = t.id AND h.hour >= date_trunc('hour', $2::timestamptz, 'UTC') - interval '6 days'
              AND h.hour < date_trunc('hour', $2::timestamptz, 'UTC')
        ) before ON true
        LEFT JOIN LATERAL (
            SELECT sum(sent)::bigint AS sent, sum(delivered)::bigint AS delivered,
                   sum(failed)::bigint AS failed
            FROM hourly_outcomes h WHERE h.tenant_id = t.id AND h.hour >= date_trunc('hour', $2::timestamptz, 'UTC')
        ) oc ON true
        CROSS JOIN LATERAL (
            SELECT count(*) AS backlog, min(e.created_at) AS since FROM events e
            WHERE e.tenant_id = t.id AND e.forward_state IN ('pending', 'retrying')
        ) q
        LEFT JOIN refused_calls off ON off.app_key = t.app_key AND off.reason = 'disabled'
            AND NOT t.integration_enabled
        LEFT JOIN refused_calls bad ON bad.app_key = t.app_key AND bad.reason = 'unauthorized'
        WHERE t.deleted_at IS NULL AND ($1::bigint[] IS NULL OR t.id = ANY($1))
        ORDER BY t.name, t.app_key
        "#,
        only.as_deref(),
        since,
    )
    .fetch_all(pool)
    .await
}

/// Counts in one hour, across the visible tenants (or one tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hour {
    pub hour: DateTime<Utc>,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
    pub rejected: i64,
}

/// Every hour from `since` to now, oldest first; quiet hours are zeros.
pub async fn hours(
    pool: &PgPool,
    only: Option<&[TenantId]>,
    since: DateTime<Utc>,
) -> Result<Vec<Hour>, sqlx::Error> {
    let only = ids(only);
    sqlx::query_as!(
        Hour,
        r#"
        WITH scope AS (
            SELECT id FROM tenants
            WHERE deleted_at IS NULL AND ($1::bigint[] IS NULL OR id = ANY($1))
        ), outcomes AS (
            SELECT hour, sum(sent)::bigint AS sent, sum(delivered)::bigint AS delivered,
                   sum(failed)::bigint AS failed
            FROM hourly_outcomes
            WHERE tenant_id IN (SELECT id FROM scope) AND hour >= date_trunc('hour', $2::timestamptz, 'UTC')
            GROUP BY hour
        ), traffic AS (
            SELECT hour, sum(rejected)::bigint AS rejected FROM hourly_traffic
            WHERE tenant_id IN (SELECT id FROM scope) AND hour >= date_trunc('hour', $2::timestamptz, 'UTC')
            GROUP BY hour
        )
        SELECT s.hour AS "hour!", coalesce(o.sent, 0) AS "sent!",
               coalesce(o.delivered, 0) AS "delivered!", coalesce(o.failed, 0) AS "failed!",
               coalesce(t.rejected, 0) AS "rejected!"
        FROM generate_series(date_trunc('hour', $2::timestamptz, 'UTC'), date_trunc('hour', now(), 'UTC'), interval '1 hour')
            AS s (hour)
        LEFT JOIN outcomes o ON o.hour = s.hour
        LEFT JOIN traffic t ON t.hour = s.hour
        ORDER BY s.hour
        "#,
        only.as_deref(),
        since,
    )
    .fetch_all(pool)
    .await
}

/// Outcomes of one category's messages ('' when the reports carried none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryOutcomes {
    pub category: String,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
}

/// A tenant's categories since `since`, the busiest first (at most 20).
pub async fn categories(
    pool: &PgPool,
    tenant: TenantId,
    since: DateTime<Utc>,
) -> Result<Vec<CategoryOutcomes>, sqlx::Error> {
    sqlx::query_as!(
        CategoryOutcomes,
        r#"
        SELECT category, sum(sent)::bigint AS "sent!", sum(delivered)::bigint AS "delivered!",
               sum(failed)::bigint AS "failed!"
        FROM hourly_outcomes
        WHERE tenant_id = $1 AND hour >= date_trunc('hour', $2::timestamptz, 'UTC')
        GROUP BY category
        ORDER BY sum(delivered + failed) DESC, sum(sent) DESC, category
        LIMIT 20
        "#,
        tenant.0,
        since,
    )
    .fetch_all(pool)
    .await
}

/// A report stored but not forwarded because its uid cannot be used.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub received_at: DateTime<Utc>,
    /// `missing_uid`, `refused_uid` or `uid_too_long`.
    pub reason: String,
    pub detail: String,
    pub client_reference: Option<String>,
}

/// A tenant's latest rejections, newest first: what to tell the customer to fix.
pub async fn latest_rejections(
    pool: &PgPool,
    tenant: TenantId,
    limit: i64,
) -> Result<Vec<Rejection>, sqlx::Error> {
    sqlx::query_as!(
        Rejection,
        r#"
        SELECT received_at, reason, detail, client_reference FROM rejections
        WHERE tenant_id = $1
        ORDER BY received_at DESC
        LIMIT $2
        "#,
        tenant.0,
        limit,
    )
    .fetch_all(pool)
    .await
}

/// Workspace ids Sinch calls that no tenant has: usually a tenant not registered yet, or
/// a typo in the callback URL.
#[derive(Debug, Clone)]
pub struct UnknownWorkspace {
    pub app_key: String,
    pub calls: i64,
    pub last_at: DateTime<Utc>,
}

pub async fn unknown_workspaces(
    pool: &PgPool,
    since: DateTime<Utc>,
) -> Result<Vec<UnknownWorkspace>, sqlx::Error> {
    sqlx::query_as!(
        UnknownWorkspace,
        r#"
        SELECT app_key, calls, last_at FROM refused_calls
        WHERE reason = 'unknown_tenant' AND last_at >= $1 AND app_key <> ''

        ORDER BY calls DESC, app_key
        LIMIT 10
        "#,
        since,
    )
    .fetch_all(pool)
    .await
}

fn ids(only: Option<&[TenantId]>) -> Option<Vec<i64>> {
    only.map(|ids| ids.iter().map(|id| id.0).collect())
}
