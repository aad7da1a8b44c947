//! Sign-in throttling: failures counted per key (an account or an address), each failure
//! past the free ones pushing the next allowed attempt further out (see
//! `domain::access::ThrottlePolicy`).

use chrono::{DateTime, Utc};
use domain::access::ThrottlePolicy;
use sqlx::PgPool;

/// When the earliest of `keys` may try again, if any of them is blocked now.
pub async fn blocked_until(
    pool: &PgPool,
    keys: &[String],
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT max(blocked_until) FROM login_throttle WHERE key = ANY($1) AND blocked_until > now()",
        keys,
    )
    .fetch_one(pool)
    .await
}

/// Counts one more failure under `key`; failures older than the policy's memory are
/// forgotten first. Returns the time the key is blocked until.
pub async fn record_failure(
    pool: &PgPool,
    key: &str,
    policy: &ThrottlePolicy,
) -> Result<DateTime<Utc>, sqlx::Error> {
    let forget_after_secs = policy.forget_after.as_secs_f64();
    let mut tx = pool.begin().await?;
    let failures = sqlx::query_scalar!(
        r#"
        INSERT INTO login_throttle AS t (key, failures, last_failure_at, blocked_until)
        VALUES ($1, 1, now(), now())
        ON CONFLICT (key) DO UPDATE
        SET failures = CASE WHEN t.last_failure_at < now() - make_interval(secs => $2)
                            THEN 1 ELSE t.failures + 1 END,
            last_failure_at = now()
        RETURNING failures
        "#,
        key,
        forget_after_secs,
    )
    .fetch_one(&mut *tx)
    .await?;
    let wait = policy.wait_after(u32::try_from(failures).unwrap_or(u32::MAX));
    let blocked_until = sqlx::query_scalar!(
        r#"
        UPDATE login_throttle SET blocked_until = now() + make_interval(secs => $2)
        WHERE key = $1 RETURNING blocked_until
        "#,
        key,
        wait.as_secs_f64(),
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(blocked_until)
}

/// Forgets the failures under `key` (after a successful sign-in to that account).
pub async fn clear(pool: &PgPool, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM login_throttle WHERE key = $1", key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Drops rows of keys that stopped failing long ago (run by the retention job).
pub async fn forget_stale(pool: &PgPool, older_than: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let result = sqlx::query!(
        "DELETE FROM login_throttle WHERE last_failure_at < $1 AND blocked_until < now()",
        older_than
    )
    .execute(pool)
    .await?;
    Ok(result.rows_affected())
}
