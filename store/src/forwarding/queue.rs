//! The forwarding queue: claiming due events, recording what each attempt came to, and pausing
//! a tenant whose MoEngage credentials were refused.
//!
//! A claim is a lease: claiming pushes `next_attempt_at` forward by the lease and marks the
//! event with the worker's name, in a transaction that commits at once, so no transaction
//! stays open across an HTTP request. A worker that dies leaves the event due again when
//! the lease ends (at-least-once); a worker whose lease ran out cannot overwrite the
//! attempt of the worker that took over, because results are written only where the
//! claim still matches.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::tenants::TenantId;

/// A due event, claimed for one attempt.
#[derive(Debug, Clone)]
pub struct ClaimedEvent {
    pub tenant: TenantId,
    pub id: i64,
    /// This attempt's number, from 1.
    pub attempt: i32,
    pub kind: String,
    pub customer_id: String,
    pub category: Option<String>,
    pub batch_id: String,
    pub recipient: String,
    pub sinch_status: String,
    pub sinch_code: i32,
    pub count: i64,
    pub operator: Option<String>,
    pub extra: serde_json::Value,
    pub reported_at: DateTime<Utc>,
}

/// Claims up to `limit` of a tenant's due events, oldest first, skipping those another
/// worker holds.
pub async fn claim(
    pool: &PgPool,
    tenant: TenantId,
    limit: i64,
    lease: Duration,
    worker: &str,
) -> Result<Vec<ClaimedEvent>, sqlx::Error> {
    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
    sqlx::query_as!(
        ClaimedEvent,
        r#"
        WITH due AS MATERIALIZED (
            SELECT id FROM events
            WHERE tenant_id = $1 AND forward_state IN ('pending', 'retrying')
              AND next_attempt_at <= now()
            ORDER BY next_attempt_at
            LIMIT $2
            FOR UPDATE SKIP LOCKED
        )
        UPDATE events e
        SET next_attempt_at = now() + make_interval(secs => $3::bigint / 1000.0),
            attempts = e.attempts + 1,
            claimed_by = $4
        FROM due
        WHERE e.tenant_id = $1 AND e.id = due.id
        RETURNING e.tenant_id AS "tenant: TenantId", e.id, e.attempts AS attempt, e.kind,
                  e.customer_id, e.category, e.batch_id, e.recipient, e.sinch_status,
                  e.sinch_code, e.count, e.operator, e.extra, e.reported_at
        "#,
        tenant.0,
        limit,
        lease_ms,
        worker,
    )
    .fetch_all(pool)
    .await
}

/// What one attempt at one event came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Forwarded,
    /// Try again at `at`.
    Retry {
        at: DateTime<Utc>,
        error: String,
    },
    /// Given up: a permanent refusal, or the retry schedule is exhausted. `reason` is the
    /// error without what differs per request, to group dead letters by.
    Dead {
        error: String,
        reason: String,
    },
    /// The tenant's credentials were refused: not an attempt that counts, the event waits
    /// for the tenant to be resumed.
    Paused {
        error: String,
    },
    /// Not sent (the claim ran out of time, or its tenant was paused meanwhile): handed
    /// back, due again at once, and not recorded as an attempt.
    Released,
}

impl Outcome {
    fn code(&self) -> &'static str {
        match self {
            Self::Forwarded => "forwarded",
            Self::Retry { .. } => "retry",
            Self::Dead { .. } => "dead",
            Self::Paused { .. } => "paused",
            Self::Released => "released",
        }
    }

    fn error(&self) -> Option<&str> {
        match self {
            Self::Forwarded | Self::Released => None,
            Self::Retry { error, .. } | Self::Dead { error, .. } | Self::Paused { error } => {
                Some(error)
            }
        }
    }
}

/// One event's attempt, as the worker saw it.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub event_id: i64,
    pub attempt: i32,
    pub http_status: Option<u16>,
    pub latency: Duration,
    pub outcome: Outcome,
}

/// Stores the attempts of one tenant's events and moves each event on. Events whose claim
/// was taken over (the lease ran out) are left to the new holder. A forwarding that
/// succeeded is kept on its event (MoEngage's answer and the request's time); only the
/// attempts that did not forward get a row of their own, which spares most events one.
pub async fn record(
    pool: &PgPool,
    tenant: TenantId,
    worker: &str,
    attempts: &[Attempt],
) -> Result<(), sqlx::Error> {
    if attempts.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = attempts.iter().map(|a| a.event_id).collect();
    let numbers: Vec<i32> = attempts.iter().map(|a| a.attempt).collect();
    let statuses: Vec<Option<i16>> = attempts
        .iter()
        .map(|a| a.http_status.and_then(|s| i16::try_from(s).ok()))
        .collect();
    let latencies: Vec<i32> = attempts
        .iter()
        .map(|a| i32::try_from(a.latency.as_millis()).unwrap_or(i32::MAX))
        .collect();
    let outcomes: Vec<&str> = attempts.iter().map(|a| a.outcome.code()).collect();
    let errors: Vec<Option<&str>> = attempts.iter().map(|a| a.outcome.error()).collect();
    let reasons: Vec<Option<&str>> = attempts
        .iter()
        .map(|a| match &a.outcome {
            Outcome::Dead { reason, .. } => Some(reason.as_str()),
            _ => None,
        })
        .collect();
    let retry_at: Vec<Option<DateTime<Utc>>> = attempts
        .iter()
        .map(|a| match a.outcome {
            Outcome::Retry { at, .. } => Some(at),
            _ => None,
        })
        .collect();
    let mut tx = pool.begin().await?;
    sqlx::query!(
        r#"
        WITH results AS (
            SELECT * FROM UNNEST($2::bigint[], $3::int[], $4::smallint[], $5::int[], $6::text[],
                                 $7::text[], $8::timestamptz[], $10::text[])
                AS r (id, attempt, http_status, latency_ms, outcome, error, retry_at, reason)
        ), moved AS (
            UPDATE events e
            SET forward_state = CASE r.outcome
                    WHEN 'forwarded' THEN 'forwarded'
                    WHEN 'dead' THEN 'dead'
                    WHEN 'retry' THEN 'retrying'
                    ELSE e.forward_state END,
                next_attempt_at = CASE r.outcome
                    WHEN 'retry' THEN r.retry_at
                    WHEN 'paused' THEN now()
                    WHEN 'released' THEN now()
                    ELSE NULL END,
                -- Neither is an attempt: they do not use up the retry schedule.
                attempts = CASE WHEN r.outcome IN ('paused', 'released') THEN e.attempts - 1
                                ELSE e.attempts END,
                forwarded_at = CASE r.outcome WHEN 'forwarded' THEN now() ELSE NULL END,
                forward_http_status = CASE r.outcome WHEN 'forwarded' THEN r.http_status END,
                forward_latency_ms = CASE r.outcome WHEN 'forwarded' THEN r.latency_ms END,
                last_error = r.error,
                dead_reason = left(r.reason, 500),
                claimed_by = NULL
            FROM results r
            WHERE e.tenant_id = $1 AND e.id = ANY($2) AND e.id = r.id
              AND e.claimed_by = $9 AND e.attempts = r.attempt
            RETURNING e.id, r.attempt
        )
        INSERT INTO forward_attempts (tenant_id, event_id, attempt, http_status, latency_ms,
                                      outcome, error)
        SELECT $1, r.id, r.attempt, r.http_status, r.latency_ms, r.outcome, left(r.error, 2000)
        FROM results r JOIN moved m ON m.id = r.id AND m.attempt = r.attempt
        WHERE r.outcome NOT IN ('released', 'forwarded')
        "#,
        tenant.0,
        &ids,
        &numbers,
        &statuses as &[Option<i16>],
        &latencies,
        &outcomes as &[&str],
        &errors as &[Option<&str>],
        &retry_at as &[Option<DateTime<Utc>>],
        worker,
        &reasons as &[Option<&str>],
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Stops forwarding a tenant's events until its credentials are replaced.
/// Why forwarding pauses on its own: what the console shows for a paused tenant that
/// recorded no other reason.
pub const REFUSED_KEY_REASON: &str = "MoEngage refused the workspace's Data API key (401)";

pub async fn pause_tenant(
    pool: &PgPool,
    tenant: TenantId,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        UPDATE tenants SET forwarding_paused_at = now(), forwarding_paused_reason = $2
        WHERE id = $1 AND forwarding_paused_at IS NULL
        "#,
        tenant.0,
        reason,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Hands back what a stopping worker still holds: due again at once, the attempt not
/// counted.
pub async fn release(pool: &PgPool, worker: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        r#"
        UPDATE events SET next_attempt_at = now(), attempts = attempts - 1, claimed_by = NULL
        WHERE claimed_by = $1 AND forward_state IN ('pending', 'retrying')
        "#,
        worker,
    )
    .execute(pool)
    .await?
    .rows_affected())
}

/// The queue at a glance, per tenant, for metrics.
#[derive(Debug, Clone)]
pub struct QueueDepth {
    pub tenant: TenantId,
    pub app_key: String,
    /// Forwarding is paused (MoEngage refused the Data API key).
    pub paused: bool,
    pub waiting: i64,
    pub oldest: Option<DateTime<Utc>>,
}

pub async fn queue_depth(pool: &PgPool) -> Result<Vec<QueueDepth>, sqlx::Error> {
    sqlx::query_as!(
        QueueDepth,
        r#"
        SELECT t.id AS "tenant: TenantId", t.app_key,
               t.forwarding_paused_at IS NOT NULL AS "paused!", q.waiting AS "waiting!", q.oldest
        FROM tenants t
        CROSS JOIN LATERAL (
            SELECT count(*) AS waiting, min(created_at) AS oldest FROM events e
            WHERE e.tenant_id = t.id AND e.forward_state IN ('pending', 'retrying')
        ) q
        WHERE t.deleted_at IS NULL
        ORDER BY t.app_key
        "#
    )
    .fetch_all(pool)
    .await
}
