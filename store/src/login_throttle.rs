//! Sign-in throttling: attempts counted per key (an account or an address) before they are
//! checked, each failure past the free ones pushing the next allowed attempt further out
//! (see `domain::access::ThrottlePolicy`).

use chrono::{DateTime, Utc};
use domain::access::ThrottlePolicy;
use sqlx::PgPool;

/// Counts an attempt under `key` before its password is checked, unless the key is blocked
/// now (then: when it may try again). The key's row is locked while it is read and
/// written, so attempts made at the same moment are counted one after another and none
/// slips past the throttle: with three free failures, the fourth of 300 parallel attempts
/// already sets the wait that refuses the rest. A right password gives the attempt back
/// (`clear` or `give_back`).
pub async fn reserve(
    pool: &PgPool,
    key: &str,
    policy: &ThrottlePolicy,
) -> Result<Result<(), DateTime<Utc>>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // A new key's row reads as long forgotten, so its first attempt counts as the first.
    sqlx::query!(
        r#"
        INSERT INTO login_throttle (key, failures, last_failure_at, blocked_until)
        VALUES ($1, 1, '-infinity', now()) ON CONFLICT (key) DO NOTHING
        "#,
        key,
    )
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query!(
        r#"
        SELECT failures, blocked_until > now() AS "blocked!", blocked_until,
               last_failure_at < now() - make_interval(secs => $2) AS "forgotten!"
        FROM login_throttle WHERE key = $1 FOR UPDATE
        "#,
        key,
        policy.forget_after.as_secs_f64(),
    )
    .fetch_one(&mut *tx)
    .await?;
    if row.blocked {
        return Ok(Err(row.blocked_until));
    }
    let failures = if row.forgotten { 1 } else { row.failures + 1 };
    let wait = policy.wait_after(u32::try_from(failures).unwrap_or(u32::MAX));
    sqlx::query!(
        r#"
        UPDATE login_throttle
        SET failures = $2, last_failure_at = now(),
            blocked_until = now() + make_interval(secs => $3)
        WHERE key = $1
        "#,
        key,
        failures,
        wait.as_secs_f64(),
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Gives back an attempt `reserve` counted, for a key a right password does not clear
/// (an address shared by people who sign in fine).
pub async fn give_back(pool: &PgPool, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        WITH gone AS (DELETE FROM login_throttle WHERE key = $1 AND failures <= 1)
        UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 1
        "#,
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// When a key reserved for an attempt may try again after that attempt failed (None when
/// at once).
pub async fn retry_at(pool: &PgPool, key: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT blocked_until FROM login_throttle WHERE key = $1 AND blocked_until > now()",
        key,
    )
    .fetch_optional(pool)
    .await
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
