//! How far each CSV export has got (`exports`): written by the export as it streams,
//! read by the page that started it. Rows are keyed by user, so nobody reads another's.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::tenants::TenantId;
use crate::users::UserId;

/// Finished exports are kept this long, for a page that asks late.
const KEPT_HOURS: i32 = 24;

/// An export as its page sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub period_from: DateTime<Utc>,
    pub period_to: DateTime<Utc>,
    pub rows_written: i64,
    /// The time of the last row written: the export walks its period newest first.
    pub reached: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub failure: Option<String>,
}

/// Records a new export (and forgets old ones). False when the user already has one
/// with this id: that export is then not tracked, rather than mixed up with the other.
pub async fn start(
    pool: &PgPool,
    user: UserId,
    id: &str,
    period_from: DateTime<Utc>,
    period_to: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    sqlx::query!(
        "DELETE FROM exports WHERE started_at < now() - make_interval(hours => $1)",
        KEPT_HOURS
    )
    .execute(pool)
    .await?;
    let inserted = sqlx::query!(
        r#"
        INSERT INTO exports (user_id, id, period_from, period_to) VALUES ($1, $2, $3, $4)
        ON CONFLICT DO NOTHING
        "#,
        user.0,
        id,
        period_from,
        period_to,
    )
    .execute(pool)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Adds a page of rows, the last of them created at `reached`.
pub async fn advance(
    pool: &PgPool,
    user: UserId,
    id: &str,
    rows: i64,
    reached: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        UPDATE exports SET rows_written = rows_written + $3, reached = $4
        WHERE user_id = $1 AND id = $2
        "#,
        user.0,
        id,
        rows,
        reached,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Marks the export finished: complete when `failure` is None.
pub async fn finish(
    pool: &PgPool,
    user: UserId,
    id: &str,
    failure: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE exports SET finished_at = now(), failure = $3 WHERE user_id = $1 AND id = $2",
        user.0,
        id,
        failure,
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn progress(
    pool: &PgPool,
    user: UserId,
    id: &str,
) -> Result<Option<Progress>, sqlx::Error> {
    sqlx::query_as!(
        Progress,
        r#"
        SELECT period_from, period_to, rows_written, reached, finished_at, failure
        FROM exports WHERE user_id = $1 AND id = $2
        "#,
        user.0,
        id,
    )
    .fetch_optional(pool)
    .await
}

/// When the oldest event of these tenants was created: where an export without a start
/// time will end. One index probe per tenant.
pub async fn oldest_event(
    pool: &PgPool,
    scope: &[TenantId],
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let scope: Vec<i64> = scope.iter().map(|id| id.0).collect();
    sqlx::query_scalar!(
        r#"
        SELECT min(first.created_at) FROM unnest($1::bigint[]) AS tenant (id)
        CROSS JOIN LATERAL (
            SELECT created_at FROM events WHERE tenant_id = tenant.id
            ORDER BY created_at, id LIMIT 1
        ) first
        "#,
        &scope,
    )
    .fetch_one(pool)
    .await
}
