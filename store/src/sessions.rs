//! The rows behind console sessions (see `auth::session_store` for the tower-sessions side).

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgExecutor;

/// Inserts a new session; false when the id is taken (the caller draws another).
pub async fn create(
    executor: impl PgExecutor<'_>,
    id: &str,
    data: &Value,
    expires_at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        id,
        data,
        expires_at,
    )
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn save(
    executor: impl PgExecutor<'_>,
    id: &str,
    data: &Value,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)
        ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at
        "#,
        id,
        data,
        expires_at,
    )
    .execute(executor)
    .await?;
    Ok(())
}

/// A session that has not expired: its data and expiry.
pub async fn load(
    executor: impl PgExecutor<'_>,
    id: &str,
) -> Result<Option<(Value, DateTime<Utc>)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > now()",
        id
    )
    .fetch_optional(executor)
    .await?;
    Ok(row.map(|row| (row.data, row.expires_at)))
}

pub async fn delete(executor: impl PgExecutor<'_>, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM sessions WHERE id = $1", id)
        .execute(executor)
        .await?;
    Ok(())
}

pub async fn delete_expired(executor: impl PgExecutor<'_>) -> Result<u64, sqlx::Error> {
    let result = sqlx::query!("DELETE FROM sessions WHERE expires_at <= now()")
        .execute(executor)
        .await?;
    Ok(result.rows_affected())
}
