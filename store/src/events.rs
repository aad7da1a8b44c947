//! The MoEngage events as people look at them in the console.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::tenants::TenantId;

/// One event with what became of it.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub kind: String,
    pub customer_id: String,
    pub recipient: String,
    pub category: Option<String>,
    pub batch_id: String,
    pub sinch_status: String,
    pub sinch_code: i32,
    pub forward_state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// A tenant's newest events, newest first (the `events_created_at_idx` order).
pub async fn latest(
    pool: &PgPool,
    tenant: TenantId,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as!(
        EventRow,
        r#"
        SELECT id, created_at, kind, customer_id, recipient, category, batch_id, sinch_status,
               sinch_code, forward_state, attempts, last_error
        FROM events
        WHERE tenant_id = $1
        ORDER BY created_at DESC, id DESC
        LIMIT $2
        "#,
        tenant.0,
        limit,
    )
    .fetch_all(pool)
    .await
}
