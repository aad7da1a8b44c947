//! The MoEngage events as people look at them in the console.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::tenants::TenantId;

pub mod counts;
mod detail;

pub use detail::{detail, AttemptRow, EventDetail, RawBody, StatusStep, StoredReport};

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

/// A tenant's newest events, newest first (by `events_created_at_idx`; the events of one
/// instant, a batch's, by id).
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

/// What the event explorer filters on; None matches everything.
#[derive(Debug, Default, Clone)]
pub struct EventFilter {
    pub kind: Option<String>,
    pub sinch_status: Option<String>,
    pub sinch_code: Option<i32>,
    pub customer_id: Option<String>,
    /// A normalised phone number (`domain::Msisdn`).
    pub recipient: Option<String>,
    pub category: Option<String>,
    pub batch_id: Option<String>,
    pub forward_state: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Where a page starts: just older than this event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: DateTime<Utc>,
    pub id: i64,
}

/// An event as the explorer lists it, with its tenant's workspace id.
#[derive(Debug, Clone)]
pub struct ListedEvent {
    pub app_key: String,
    pub event: EventRow,
}

/// Events of the tenants in `scope` that match `filter`, newest first, older than
/// `before` (keyset paging: no OFFSET, each page costs the same).
pub async fn search(
    pool: &PgPool,
    scope: &[TenantId],
    filter: &EventFilter,
    before: Option<Cursor>,
    limit: i64,
) -> Result<Vec<ListedEvent>, sqlx::Error> {
    let scope: Vec<i64> = scope.iter().map(|id| id.0).collect();
    // Plan with the filter's values: a generic plan cannot drop the `$n IS NULL OR` arms
    // for the filters not given, and so cannot pick the index of the one that is.
    let mut tx = pool
        .begin_with("BEGIN; SET LOCAL plan_cache_mode = force_custom_plan")
        .await?;
    // Each tenant's page is read on its own, then the pages are merged: an index walk in
    // order of at most `limit` matching rows per tenant (newest first, or an index that
    // holds the order), or, for a uid or a phone number, their few events found by the
    // value's index and sorted; never a sort of a tenant's events.
    let rows = sqlx::query!(
        r#"
        SELECT t.app_key, e.id, e.created_at, e.kind, e.customer_id, e.recipient, e.category,
               e.batch_id, e.sinch_status, e.sinch_code, e.forward_state, e.attempts,
               e.last_error
        FROM unnest($1::bigint[]) AS s (tenant_id)
        JOIN tenants t ON t.id = s.tenant_id
        CROSS JOIN LATERAL (
            SELECT * FROM events e
            WHERE e.tenant_id = s.tenant_id
              AND ($2::text IS NULL OR e.kind = $2)
              AND ($3::text IS NULL OR e.sinch_status = $3)
              AND ($4::int IS NULL OR e.sinch_code = $4)
              -- A uid's or a phone number's events are found by their value's hash
              -- (migration 21), and checked against the value itself.
              AND ($5::text IS NULL OR (e.customer_id = $5 AND
                  tenant_value_key(e.tenant_id, e.customer_id) = tenant_value_key(s.tenant_id, $5)))
              AND ($6::text IS NULL OR (e.recipient = $6 AND
                  tenant_value_key(e.tenant_id, e.recipient) = tenant_value_key(s.tenant_id, $6)))
              AND ($7::text IS NULL OR e.category = $7)
              -- A batch's events are found through its messages' key (by the batch's
              -- hash since migration 20), then events_slot_key (no index of events by
              -- batch: 59 bytes a report for a filter seldom used). As an array, not
              -- `IN (SELECT ...)`, which the planner turned into a scan of the tenant's
              -- events.
              AND ($8::text IS NULL OR e.message_id = ANY (ARRAY(
                  SELECT m.id FROM messages m
                  WHERE m.tenant_id = s.tenant_id AND m.batch_id = $8
                    AND hashtext(m.batch_id) = hashtext($8))))
              AND ($9::text IS NULL OR e.forward_state = $9)
              AND ($10::timestamptz IS NULL OR e.created_at >= $10)
              AND ($11::timestamptz IS NULL OR e.created_at < $11)
              AND ($12::timestamptz IS NULL OR (e.created_at, e.id) < ($12, $13::bigint))
            ORDER BY e.created_at DESC, e.id DESC
            LIMIT $14
        ) e
        ORDER BY e.created_at DESC, e.id DESC
        LIMIT $14
        "#,
        &scope,
        filter.kind,
        filter.sinch_status,
        filter.sinch_code,
        filter.customer_id,
        filter.recipient,
        filter.category,
        filter.batch_id,
        filter.forward_state,
        filter.from,
        filter.to,
        before.map(|c| c.created_at),
        before.map(|c| c.id),
        limit,
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|row| ListedEvent {
            app_key: row.app_key,
            event: EventRow {
                id: row.id,
                created_at: row.created_at,
                kind: row.kind,
                customer_id: row.customer_id,
                recipient: row.recipient,
                category: row.category,
                batch_id: row.batch_id,
                sinch_status: row.sinch_status,
                sinch_code: row.sinch_code,
                forward_state: row.forward_state,
                attempts: row.attempts,
                last_error: row.last_error,
            },
        })
        .collect())
}
