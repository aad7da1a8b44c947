//! Removes what is older than the retention period: the tables kept by the day lose their
//! expired days whole (`crate::partitions`), the others are deleted from in small batches
//! per tenant so that no statement holds locks for long or bloats a single transaction.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// What one purge removed: days dropped, rows deleted by table.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    /// Days of reports and of rejections (each table's day counts once).
    pub report_days: u64,
    pub messages: u64,
    pub malformed_calls: u64,
    pub refused_calls: u64,
    /// Rows of the console's hourly counts (`hourly_traffic`, `hourly_outcomes`,
    /// `hourly_delivery_times`).
    pub hours: u64,
}

/// Deletes messages (with their statuses and events), malformed calls, refusal counters and
/// hourly counts older than `cutoff`, then drops the days of reports and rejections wholly
/// before it. Messages go first: a report is never older than its message, so no event is
/// left naming a report that is gone.
#[tracing::instrument(skip(pool))]
pub async fn purge_older_than(
    pool: &PgPool,
    cutoff: DateTime<Utc>,
    batch: i64,
) -> Result<Purged, sqlx::Error> {
    let mut purged = Purged::default();
    let tenants = sqlx::query_scalar!("SELECT id FROM tenants ORDER BY id")
        .fetch_all(pool)
        .await?;
    for tenant in tenants {
        purged.messages += drain(|| delete_messages(pool, tenant, cutoff, batch)).await?;
        purged.malformed_calls += sqlx::query!(
            "DELETE FROM malformed_calls WHERE tenant_id = $1 AND received_at < $2",
            tenant,
            cutoff
        )
        .execute(pool)
        .await?
        .rows_affected();
        purged.hours += delete_hours(pool, tenant, cutoff).await?;
    }
    purged.refused_calls = sqlx::query!("DELETE FROM refused_calls WHERE last_at < $1", cutoff)
        .execute(pool)
        .await?
        .rows_affected();
    purged.report_days =
        crate::partitions::drop_days_before(pool, &crate::partitions::DailyTable::HISTORY, cutoff)
            .await?;
    Ok(purged)
}

/// Repeats a batched delete until a batch comes back short.
async fn drain<F, Fut>(mut delete_batch: F) -> Result<u64, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(u64, bool), sqlx::Error>>,
{
    let mut total = 0;
    loop {
        let (deleted, more) = delete_batch().await?;
        total += deleted;
        if !more {
            return Ok(total);
        }
    }
}

async fn delete_messages(
    pool: &PgPool,
    tenant: i64,
    cutoff: DateTime<Utc>,
    batch: i64,
) -> Result<(u64, bool), sqlx::Error> {
    let deleted = sqlx::query!(
        r#"
        DELETE FROM messages WHERE tenant_id = $1 AND id IN (
            SELECT id FROM messages WHERE tenant_id = $1 AND first_seen_at < $2 LIMIT $3)
        "#,
        tenant,
        cutoff,
        batch
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok((deleted, deleted == batch.unsigned_abs()))
}

/// A tenant's hourly counts before `cutoff`: a few hundred rows at most, in one go.
async fn delete_hours(
    pool: &PgPool,
    tenant: i64,
    cutoff: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let traffic = sqlx::query!(
        "DELETE FROM hourly_traffic WHERE tenant_id = $1 AND hour < $2",
        tenant,
        cutoff
    )
    .execute(pool)
    .await?
    .rows_affected();
    let outcomes = sqlx::query!(
        "DELETE FROM hourly_outcomes WHERE tenant_id = $1 AND hour < $2",
        tenant,
        cutoff
    )
    .execute(pool)
    .await?
    .rows_affected();
    let times = sqlx::query!(
        "DELETE FROM hourly_delivery_times WHERE tenant_id = $1 AND hour < $2",
        tenant,
        cutoff
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(traffic + outcomes + times)
}
