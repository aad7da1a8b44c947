//! One event's whole story: the report it came from, its message's statuses and every
//! forwarding attempt.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::EventRow;
use crate::forwarding::ClaimedEvent;
use crate::tenants::TenantId;

#[derive(Debug, Clone)]
pub struct EventDetail {
    pub tenant: TenantId,
    pub event: EventRow,
    pub count: i64,
    pub operator: Option<String>,
    pub extra: serde_json::Value,
    /// Sinch's time for the status (or the report's arrival when it gave none).
    pub reported_at: DateTime<Utc>,
    pub forwarded_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub report: StoredReport,
    /// The message's statuses in the order Sinch reported them.
    pub timeline: Vec<StatusStep>,
    pub attempts: Vec<AttemptRow>,
}

/// A report as stored.
#[derive(Debug, Clone)]
pub struct StoredReport {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub report_type: String,
    pub body: RawBody,
}

impl StoredReport {
    /// The client_reference as Sinch sent it, read from the raw body while that is kept
    /// (migration 24: the report's row no longer holds a copy); None without one, or once
    /// the raw body has expired (the event still holds its uid, category and attributes).
    pub fn client_reference(&self) -> Option<String> {
        match &self.body {
            RawBody::Kept(text) => domain::SinchReport::from_json(text.as_bytes())
                .ok()
                .and_then(|report| report.client_reference_raw),
            RawBody::Expired | RawBody::Unreadable(_) => None,
        }
    }
}

/// The report's body exactly as Sinch sent it, while it is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawBody {
    Kept(String),
    /// Raw reports are kept for `DLRHUB_RAW_RETENTION_DAYS`, less than the events.
    Expired,
    /// Stored, but this build cannot read it back (the reason).
    Unreadable(String),
}

#[derive(Debug, Clone)]
pub struct StatusStep {
    pub status: String,
    pub code: i32,
    pub count: i64,
    pub reported_at: DateTime<Utc>,
    pub operator: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AttemptRow {
    pub attempt: i32,
    pub attempted_at: DateTime<Utc>,
    /// None when no HTTP answer came (timeout, refused connection).
    pub http_status: Option<i16>,
    pub latency_ms: i32,
    pub outcome: String,
    pub error: Option<String>,
}

impl EventDetail {
    /// The event as the forwarder claims it, to build the request it sends.
    pub fn as_claimed(&self) -> ClaimedEvent {
        ClaimedEvent {
            tenant: self.tenant,
            id: self.event.id,
            attempt: self.event.attempts + 1,
            kind: self.event.kind.clone(),
            customer_id: self.event.customer_id.clone(),
            category: self.event.category.clone(),
            batch_id: self.event.batch_id.clone(),
            recipient: self.event.recipient.clone(),
            sinch_status: self.event.sinch_status.clone(),
            sinch_code: self.event.sinch_code,
            count: self.count,
            operator: self.operator.clone(),
            extra: self.extra.clone(),
            reported_at: self.reported_at,
        }
    }
}

/// The event `id` of `tenant`, or None when the tenant has no such event.
pub async fn detail(
    pool: &PgPool,
    tenant: TenantId,
    id: i64,
) -> Result<Option<EventDetail>, sqlx::Error> {
    // One snapshot for all four reads: else a page loaded while the forwarder records an
    // attempt could show the attempt without the state it set.
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let Some(row) = sqlx::query!(
        r#"
        SELECT e.id, e.created_at, e.kind, e.customer_id, e.recipient, e.category, e.batch_id,
               e.sinch_status, e.sinch_code, e.forward_state, e.attempts, e.last_error,
               e.count, e.operator, e.extra, e.reported_at, e.forwarded_at, e.next_attempt_at,
               e.message_id, r.id AS report_id, r.received_at,
               r.report_type::text AS "report_type!"
        FROM events e
        JOIN reports r ON r.tenant_id = e.tenant_id AND r.id = e.report_id
        WHERE e.tenant_id = $1 AND e.id = $2
        "#,
        tenant.0,
        id,
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    // Apart, with the report's id and time as values: its day is then known when the
    // statement is planned, and the planner costs the day's BRIN index of ids
    // (migration 21) against reading that day alone. Joined to the report above, it
    // costed the look-up in every day and read the whole day instead.
    let raw = sqlx::query!(
        "SELECT codec, body FROM raw_reports
         WHERE tenant_id = $1 AND report_id = $2 AND received_at = $3",
        tenant.0,
        row.report_id,
        row.received_at,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let timeline = sqlx::query_as!(
        StatusStep,
        r#"
        SELECT status AS "status!", code AS "code!", count AS "count!",
               reported_at AS "reported_at!", operator
        FROM (
            -- A status that made an event is kept on it, the others apart; UNION folds
            -- the statuses stored both ways before that change.
            SELECT status, code, count, reported_at, operator, report_id
            FROM message_statuses
            WHERE tenant_id = $1 AND message_id = $2
            UNION
            SELECT sinch_status, sinch_code, count, reported_at, operator, report_id
            FROM events
            WHERE tenant_id = $1 AND message_id = $2
              -- The message's day, where its events are.
              AND in_day_of(id, $2)
        ) steps
        ORDER BY reported_at, report_id
        "#,
        tenant.0,
        row.message_id,
    )
    .fetch_all(&mut *tx)
    .await?;
    // The attempts that did not forward have rows; a success is kept on the event itself
    // (an event forwarded before that change has its success as a row instead).
    let attempts = sqlx::query_as!(
        AttemptRow,
        r#"
        SELECT attempt AS "attempt!", attempted_at AS "attempted_at!", http_status,
               latency_ms AS "latency_ms!", outcome AS "outcome!", error
        FROM (
            SELECT attempt, attempted_at, http_status, latency_ms, outcome, error, seq
            FROM forward_attempts
            WHERE tenant_id = $1 AND event_id = $2
            UNION ALL
            SELECT attempts, forwarded_at, forward_http_status, forward_latency_ms,
                   'forwarded', NULL, NULL
            FROM events
            WHERE tenant_id = $1 AND id = $2 AND forward_latency_ms IS NOT NULL
        ) a
        ORDER BY attempted_at, seq
        "#,
        tenant.0,
        id,
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(EventDetail {
        tenant,
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
        count: row.count,
        operator: row.operator,
        extra: row.extra,
        reported_at: row.reported_at,
        forwarded_at: row.forwarded_at,
        next_attempt_at: row.next_attempt_at,
        report: StoredReport {
            id: row.report_id,
            received_at: row.received_at,
            report_type: row.report_type,
            body: match raw {
                Some(raw) => match crate::raw_reports::decode(raw.codec, &raw.body) {
                    Ok(text) => RawBody::Kept(text),
                    Err(error) => RawBody::Unreadable(error.to_string()),
                },
                None => RawBody::Expired,
            },
        },
        timeline,
        attempts,
    }))
}
