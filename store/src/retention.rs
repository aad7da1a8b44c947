//! Removes what is older than the retention period: the tables kept by the day lose their
//! expired days whole (`crate::partitions`), the others are deleted from in small batches
//! per tenant so that no statement holds locks for long or bloats a single transaction.
//! So are messages kept from before they were kept by the day (migration 18's
//! `purge_legacy_messages`), until none is left.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// What one purge removed: days dropped, rows deleted by table.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    /// Days dropped, each table's day counted once: reports, rejections, messages, their
    /// statuses, events and attempts.
    pub days: u64,
    /// Messages kept from before the upgrade that made messages daily, deleted row by row
    /// with their statuses, events and attempts.
    pub legacy_messages: u64,
    pub malformed_calls: u64,
    pub refused_calls: u64,
    /// Rows of the console's hourly counts (`hourly_traffic`, `hourly_outcomes`,
    /// `hourly_delivery_times`).
    pub hours: u64,
}

/// Deletes malformed calls, refusal counters, hourly counts and messages kept from before
/// the upgrade older than `cutoff`, then drops the days of reports, rejections, messages,
/// statuses, events and attempts wholly before it, together.
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
        purged.legacy_messages +=
            drain(|| delete_legacy_messages(pool, tenant, cutoff, batch)).await?;
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
    purged.days =
        crate::partitions::drop_days_before(pool, &crate::partitions::DailyTable::HISTORY, cutoff)
            .await?;
    // Dropping the emptied old tables locks their parents as dropping a day does: behind a
    // long query it gives up until the next pass rather than hold ingestion up.
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL lock_timeout = '5s'")
        .execute(&mut *tx)
        .await?;
    sqlx::query_scalar!(r#"SELECT drop_legacy_messages_if_empty() AS "dropped!""#)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
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

async fn delete_legacy_messages(
    pool: &PgPool,
    tenant: i64,
    cutoff: DateTime<Utc>,
    batch: i64,
) -> Result<(u64, bool), sqlx::Error> {
    let deleted = sqlx::query_scalar!(
        r#"SELECT purge_legacy_messages($1, $2, $3) AS "deleted!""#,
        tenant,
        cutoff,
        batch
    )
    .fetch_one(pool)
    .await?;
    let deleted = deleted.unsigned_abs();
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
