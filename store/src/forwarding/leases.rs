//! Who drives each tenant's forwarding: a lease per tenant, so that one process at a time
//! sends a tenant's events and its rate holds however many worker processes run.
//!
//! A process renews its leases every few seconds; one that dies stops renewing and the
//! others take its tenants once the leases lapse. Tenants are shared out: a process takes
//! a new lease only while it holds fewer than its share of the tenants with work
//! (those tenants divided by the live processes, rounded up).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::tenants::TenantId;

/// A tenant with events due now, or one this process drives: what the forwarder needs to
/// send its events, and who holds its lease. One query for the whole round.
#[derive(Debug, Clone)]
pub struct DueTenant {
    pub id: TenantId,
    pub app_key: String,
    pub data_center: i16,
    pub api_key_sealed: Vec<u8>,
    pub rate_per_s: i32,
    pub concurrency: i32,
    pub full_recipient: bool,
    pub bulk: bool,
    /// Forwarding paused (MoEngage refused the key) or the tenant deleted: not to be sent.
    pub stopped: bool,
    /// It has events due now.
    pub due: bool,
    /// The live lease's holder, if any.
    pub holder: Option<String>,
}

/// Tenants with due events and the tenants `worker` holds, longest waiting first.
pub async fn due_tenants(pool: &PgPool, worker: &str) -> Result<Vec<DueTenant>, sqlx::Error> {
    sqlx::query_as!(
        DueTenant,
        r#"
        SELECT t.id AS "id: TenantId", t.app_key, t.data_center,
               t.moengage_api_key_encrypted AS api_key_sealed,
               t.forward_rate_per_s AS rate_per_s, t.forward_concurrency AS concurrency,
               t.forward_full_recipient AS full_recipient, t.forward_bulk AS bulk,
               (t.forwarding_paused_at IS NOT NULL OR t.deleted_at IS NOT NULL) AS "stopped!",
               (oldest.next_attempt_at IS NOT NULL) AS "due!",
               CASE WHEN l.expires_at > now() THEN l.holder END AS holder
        FROM tenants t
        LEFT JOIN LATERAL (
            SELECT next_attempt_at FROM events e
            WHERE e.tenant_id = t.id AND e.forward_state IN ('pending', 'retrying')
              AND e.next_attempt_at <= now()
            ORDER BY e.next_attempt_at
            LIMIT 1
        ) oldest ON true
        LEFT JOIN forwarding_leases l ON l.tenant_id = t.id
        WHERE (oldest.next_attempt_at IS NOT NULL
               AND t.forwarding_paused_at IS NULL AND t.deleted_at IS NULL)
           OR (l.holder = $1 AND l.expires_at > now())
        ORDER BY oldest.next_attempt_at NULLS LAST
        "#,
        worker,
    )
    .fetch_all(pool)
    .await
}

fn interval_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Takes the tenant's lease if it is free, lapsed or already `worker`'s. Returns whether
/// `worker` holds it now.
pub async fn acquire(
    pool: &PgPool,
    tenant: TenantId,
    worker: &str,
    ttl: Duration,
) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query_scalar!(
        r#"
        INSERT INTO forwarding_leases (tenant_id, holder, expires_at)
        VALUES ($1, $2, now() + make_interval(secs => $3::bigint / 1000.0))
        ON CONFLICT (tenant_id) DO UPDATE
        SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, acquired_at = now(),
            rate_now = 0, failing_since = NULL, measured_at = now()
        WHERE forwarding_leases.expires_at <= now()
           OR forwarding_leases.holder = EXCLUDED.holder
        RETURNING tenant_id
        "#,
        tenant.0,
        worker,
        interval_ms(ttl),
    )
    .fetch_optional(pool)
    .await?;
    Ok(taken.is_some())
}

/// What a lease holder measured of one tenant, written with each renewal.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaseReport {
    pub tenant: TenantId,
    pub rate_now: f32,
    pub failing_since: Option<DateTime<Utc>>,
}

/// Renews the leases of the tenants `worker` drives (writing what it measured), gives up
/// any other lease it still holds (a driver that stopped), beats its heart, and returns the
/// tenants it still holds and the number of live worker processes.
pub async fn renew(
    pool: &PgPool,
    worker: &str,
    ttl: Duration,
    reports: &[LeaseReport],
) -> Result<(Vec<TenantId>, i64), sqlx::Error> {
    let ids: Vec<i64> = reports.iter().map(|r| r.tenant.0).collect();
    let rates: Vec<f32> = reports.iter().map(|r| r.rate_now).collect();
    let failing: Vec<Option<DateTime<Utc>>> = reports.iter().map(|r| r.failing_since).collect();
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "DELETE FROM forwarding_leases WHERE holder = $1 AND NOT (tenant_id = ANY($2))",
        worker,
        &ids,
    )
    .execute(&mut *tx)
    .await?;
    let held = sqlx::query_scalar!(
        r#"
        UPDATE forwarding_leases l
        SET expires_at = now() + make_interval(secs => $2::bigint / 1000.0),
            rate_now = r.rate_now, failing_since = r.failing_since, measured_at = now()
        FROM UNNEST($3::bigint[], $4::real[], $5::timestamptz[])
            AS r (tenant_id, rate_now, failing_since)
        WHERE l.tenant_id = r.tenant_id AND l.holder = $1 AND l.expires_at > now()
        RETURNING l.tenant_id AS "tenant_id: TenantId"
        "#,
        worker,
        interval_ms(ttl),
        &ids,
        &rates,
        &failing as &[Option<DateTime<Utc>>],
    )
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        INSERT INTO forwarding_workers (name, seen_at) VALUES ($1, now())
        ON CONFLICT (name) DO UPDATE SET seen_at = now()
        "#,
        worker,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM forwarding_workers WHERE seen_at < now() - interval '1 hour'")
        .execute(&mut *tx)
        .await?;
    let live = sqlx::query_scalar!(
        r#"
        SELECT count(*) AS "live!" FROM forwarding_workers
        WHERE seen_at > now() - make_interval(secs => $1::bigint / 1000.0)
        "#,
        interval_ms(ttl),
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((held, live.max(1)))
}

/// Gives up one tenant's lease (its driver went idle), so that any process may take it.
pub async fn give_up(pool: &PgPool, tenant: TenantId, worker: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM forwarding_leases WHERE tenant_id = $1 AND holder = $2",
        tenant.0,
        worker,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A stopping process hands its tenants over at once and leaves the live count.
pub async fn give_up_all(pool: &PgPool, worker: &str) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let released = sqlx::query!("DELETE FROM forwarding_leases WHERE holder = $1", worker)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query!("DELETE FROM forwarding_workers WHERE name = $1", worker)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(released)
}

/// How a tenant's forwarding is going now, for the console and `tenant show`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForwardingNow {
    /// Events MoEngage accepted per second lately (0 when no process drives the tenant).
    pub rate_now: f32,
    /// MoEngage has been failing for the workspace since then (the breaker is open).
    pub failing_since: Option<DateTime<Utc>>,
    /// Events waiting to be forwarded, as last sampled.
    pub waiting: i64,
    /// The backlog grew over the last five to ten minutes.
    pub growing: bool,
}

/// What the lease holder and the backlog samples say of each tenant (missing ones are
/// idle: nothing waiting, nothing driving them).
pub async fn now(
    pool: &PgPool,
    tenants: &[TenantId],
) -> Result<Vec<(TenantId, ForwardingNow)>, sqlx::Error> {
    let ids: Vec<i64> = tenants.iter().map(|t| t.0).collect();
    let rows = sqlx::query!(
        r#"
        SELECT t.id AS "id!: TenantId",
               COALESCE(CASE WHEN l.expires_at > now() THEN l.rate_now END, 0) AS "rate_now!",
               CASE WHEN l.expires_at > now() THEN l.failing_since END AS failing_since,
               COALESCE(b.waiting, 0) AS "waiting!",
               COALESCE(b.waiting > b.earlier_waiting
                        AND b.measured_at - b.earlier_at >= interval '5 minutes'
                        AND b.measured_at > now() - interval '1 minute', false) AS "growing!"
        FROM UNNEST($1::bigint[]) AS t (id)
        LEFT JOIN forwarding_leases l ON l.tenant_id = t.id
        LEFT JOIN forwarding_backlog b ON b.tenant_id = t.id
        "#,
        &ids,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            (
                row.id,
                ForwardingNow {
                    rate_now: row.rate_now,
                    failing_since: row.failing_since,
                    waiting: row.waiting,
                    growing: row.growing,
                },
            )
        })
        .collect())
}

/// Records each tenant's waiting events. Two earlier samples are kept, moved up every five
/// minutes, so that the oldest is always five to ten minutes behind: enough to tell a
/// backlog that grows from one that drains.
pub async fn sample_backlog(pool: &PgPool, samples: &[(TenantId, i64)]) -> Result<(), sqlx::Error> {
    let ids: Vec<i64> = samples.iter().map(|(t, _)| t.0).collect();
    let waiting: Vec<i64> = samples.iter().map(|(_, w)| *w).collect();
    sqlx::query!(
        r#"
        INSERT INTO forwarding_backlog AS b (tenant_id, waiting, measured_at, mid_waiting, mid_at,
                                             earlier_waiting, earlier_at)
        SELECT s.tenant_id, s.waiting, now(), s.waiting, now(), s.waiting, now()
        FROM UNNEST($1::bigint[], $2::bigint[]) AS s (tenant_id, waiting)
        JOIN tenants t ON t.id = s.tenant_id
        ON CONFLICT (tenant_id) DO UPDATE
        SET waiting = EXCLUDED.waiting, measured_at = now(),
            mid_waiting = CASE WHEN b.mid_at < now() - interval '5 minutes'
                               THEN b.waiting ELSE b.mid_waiting END,
            mid_at = CASE WHEN b.mid_at < now() - interval '5 minutes'
                          THEN b.measured_at ELSE b.mid_at END,
            earlier_waiting = CASE WHEN b.mid_at < now() - interval '5 minutes'
                                   THEN b.mid_waiting ELSE b.earlier_waiting END,
            earlier_at = CASE WHEN b.mid_at < now() - interval '5 minutes'
                              THEN b.mid_at ELSE b.earlier_at END
        "#,
        &ids,
        &waiting,
    )
    .execute(pool)
    .await?;
    Ok(())
}
