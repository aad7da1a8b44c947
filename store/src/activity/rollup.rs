//! The roll-up pass: adds the rows each tenant wrote since its watermark to
//! `hourly_traffic`, `hourly_outcomes` and `hourly_delivery_times`, and moves the
//! watermark in the same transaction, so that every row is counted once however often
//! passes run, fail or are interrupted. A pass costs what arrived since the last one.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};

use crate::tenants::TenantId;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum RollUp {
    /// Another process was rolling up; this one left it to them.
    #[default]
    Skipped,
    Done {
        tenants: usize,
        /// Whether every tenant's counts reached the present; a tenant far behind (its
        /// history being rebuilt) is caught up over several passes.
        caught_up: bool,
    },
}

/// The most one step counts for one tenant, so that a tenant far behind is caught up in
/// transactions of a bounded size: an hour of a tenant sending 20 million reports a day
/// is about 830,000 reports, some 8 s at ~10 us each (the delivery-time lookup), well
/// within the step's statement timeout.
const STEP_HOURS: i32 = 1;
/// How long a pass goes on catching up before it leaves the rest to the next one.
const BUDGET: Duration = Duration::from_secs(5);

/// Brings every live tenant's hourly counts up to date, or as far as the pass's budget
/// allows.
#[tracing::instrument(skip_all)]
pub async fn roll_up(pool: &PgPool) -> Result<RollUp, sqlx::Error> {
    let started = Instant::now();
    let tenants = sqlx::query_scalar!(
        r#"SELECT id AS "id: TenantId" FROM tenants WHERE deleted_at IS NULL ORDER BY id"#
    )
    .fetch_all(pool)
    .await?;
    for &tenant in &tenants {
        loop {
            match step(pool, tenant).await? {
                Step::Skipped => return Ok(RollUp::Skipped),
                Step::CaughtUp => break,
                Step::Behind if started.elapsed() > BUDGET => {
                    return Ok(RollUp::Done {
                        tenants: tenants.len(),
                        caught_up: false,
                    })
                }
                Step::Behind => {}
            }
        }
    }
    Ok(RollUp::Done {
        tenants: tenants.len(),
        caught_up: true,
    })
}

/// Has the next pass count a tenant's hours again from its registration: after rows were
/// written into its past (`dlrhub dev seed`), which a watermark already beyond them would
/// never count.
pub async fn recount(pool: &PgPool, tenant: TenantId) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Waits for a step in progress, which would otherwise write the watermark back.
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext($1))", LOCK)
        .execute(&mut *tx)
        .await?;
    sqlx::query!("DELETE FROM activity_rollup WHERE tenant_id = $1", tenant.0)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The advisory lock a roll-up step holds.
const LOCK: &str = "dlrhub.activity_rollup";

enum Step {
    Skipped,
    CaughtUp,
    Behind,
}

struct Window {
    /// The watermark; None when the tenant's hours are to be rebuilt.
    rolled_until: Option<DateTime<Utc>>,
    registered: DateTime<Utc>,
    settled: DateTime<Utc>,
}

/// Counts one tenant's rows from its watermark to at most `STEP_HOURS` later, in one
/// transaction.
async fn step(pool: &PgPool, tenant: TenantId) -> Result<Step, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // One process rolls up at a time: two would add the same rows twice.
    let mine = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock(hashtext($1)) AS "mine!""#,
        LOCK
    )
    .fetch_one(&mut *tx)
    .await?;
    if !mine {
        return Ok(Step::Skipped);
    }
    // A pass that outlives its process must not go on reading for an hour.
    sqlx::query!("SET LOCAL statement_timeout = '60s'")
        .execute(&mut *tx)
        .await?;
    // Rows are stamped with their transaction's start (`now()` defaults), so a row not
    // yet committed is stamped no earlier than the oldest running transaction's start:
    // everything before it is settled, and counting up to it misses nothing. A session
    // left in a transaction holds the counts back by a minute at most.
    let window = sqlx::query_as!(
        Window,
        r#"
        SELECT r.rolled_until AS "rolled_until?",
               date_trunc('hour', t.created_at, 'UTC') AS "registered!",
               greatest(now() - interval '1 minute', (
                   SELECT coalesce(min(a.xact_start), now()) FROM pg_stat_activity a
                   WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
                     AND a.backend_type = 'client backend' AND a.xact_start < now()
               )) AS "settled!"
        FROM tenants t
        LEFT JOIN activity_rollup r ON r.tenant_id = t.id
        WHERE t.id = $1 AND t.deleted_at IS NULL
        "#,
        tenant.0,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(window) = window else {
        return Ok(Step::CaughtUp);
    };
    let from = match window.rolled_until {
        Some(watermark) => watermark,
        None => {
            forget_hours(&mut tx, tenant).await?;
            window.registered
        }
    };
    let until = window
        .settled
        .min(from + chrono::Duration::hours(STEP_HOURS.into()));
    if until <= from {
        tx.commit().await?;
        return Ok(Step::CaughtUp);
    }
    count(&mut tx, tenant, from, until).await?;
    sqlx::query!(
        r#"
        INSERT INTO activity_rollup (tenant_id, rolled_until) VALUES ($1, $2)
        ON CONFLICT (tenant_id) DO UPDATE SET rolled_until = EXCLUDED.rolled_until
        "#,
        tenant.0,
        until,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(if until < window.settled {
        Step::Behind
    } else {
        Step::CaughtUp
    })
}

/// A tenant without a watermark (new, or seeded with history) has its hours rebuilt.
async fn forget_hours(
    tx: &mut Transaction<'static, Postgres>,
    tenant: TenantId,
) -> Result<(), sqlx::Error> {
    for statement in [
        "DELETE FROM hourly_traffic WHERE tenant_id = $1",
        "DELETE FROM hourly_outcomes WHERE tenant_id = $1",
        "DELETE FROM hourly_delivery_times WHERE tenant_id = $1",
    ] {
        sqlx::query(statement)
            .bind(tenant.0)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Adds the rows stamped in [from, until) to their hours.
async fn count(
    tx: &mut Transaction<'static, Postgres>,
    tenant: TenantId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    // Each count is a range scan on the table's (tenant_id, time) index.
    sqlx::query!(
        r#"
        INSERT INTO hourly_traffic AS h (tenant_id, hour, received, rejected, forwarded, dead_lettered)
        SELECT $1, c.hour, sum(c.received)::bigint, sum(c.rejected)::bigint,
               sum(c.forwarded)::bigint, sum(c.dead)::bigint
        FROM (
            -- received_on names the day reports and rejections are kept by: only the
            -- window's days are read.
            SELECT date_trunc('hour', r.received_at, 'UTC') AS hour, count(*) AS received,
                   0 AS rejected, 0 AS forwarded, 0 AS dead
            FROM reports r WHERE r.tenant_id = $1
              AND r.received_on BETWEEN ($2 AT TIME ZONE 'UTC')::date
                                    AND ($3 AT TIME ZONE 'UTC')::date
              AND r.received_at >= $2 AND r.received_at < $3
            GROUP BY 1
            UNION ALL
            SELECT date_trunc('hour', j.received_at, 'UTC'), 0, count(*), 0, 0
            FROM rejections j WHERE j.tenant_id = $1
              AND j.received_on BETWEEN ($2 AT TIME ZONE 'UTC')::date
                                    AND ($3 AT TIME ZONE 'UTC')::date
              AND j.received_at >= $2 AND j.received_at < $3
            GROUP BY 1
            UNION ALL
            SELECT date_trunc('hour', e.forwarded_at, 'UTC'), 0, 0, count(*), 0
            FROM events e WHERE e.tenant_id = $1 AND e.forward_latency_ms IS NOT NULL
              AND e.forwarded_at >= $2 AND e.forwarded_at < $3
            GROUP BY 1
            UNION ALL
            -- Successes are kept on their events since 20261206000012; the rows of
            -- those forwarded before count here, and only here.
            SELECT date_trunc('hour', a.attempted_at, 'UTC'), 0, 0,
                   count(*) FILTER (WHERE a.outcome = 'forwarded'),
                   count(*) FILTER (WHERE a.outcome = 'dead')
            FROM forward_attempts a WHERE a.tenant_id = $1
              AND a.outcome IN ('forwarded', 'dead')
              AND a.attempted_at >= $2 AND a.attempted_at < $3
            GROUP BY 1
        ) c
        GROUP BY c.hour
        ON CONFLICT (tenant_id, hour) DO UPDATE
        SET received = h.received + EXCLUDED.received, rejected = h.rejected + EXCLUDED.rejected,
            forwarded = h.forwarded + EXCLUDED.forwarded,
            dead_lettered = h.dead_lettered + EXCLUDED.dead_lettered
        "#,
        tenant.0,
        from,
        until,
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        r#"
        INSERT INTO hourly_outcomes AS h (tenant_id, hour, category, sent, delivered, failed)
        SELECT $1, date_trunc('hour', e.created_at, 'UTC'), coalesce(e.category, ''),
               coalesce(sum(e.count) FILTER (WHERE e.kind = 'sent'), 0),
               coalesce(sum(e.count) FILTER (WHERE e.kind = 'delivered'), 0),
               coalesce(sum(e.count) FILTER (WHERE e.kind = 'delivery_failed'), 0)
        FROM events e
        WHERE e.tenant_id = $1 AND e.created_at >= $2 AND e.created_at < $3
          AND e.forward_state <> 'suppressed'
        GROUP BY 2, 3
        ON CONFLICT (tenant_id, hour, category) DO UPDATE
        SET sent = h.sent + EXCLUDED.sent, delivered = h.delivered + EXCLUDED.delivered,
            failed = h.failed + EXCLUDED.failed
        "#,
        tenant.0,
        from,
        until,
    )
    .execute(&mut **tx)
    .await?;
    // Dispatched -> Delivered per delivered message, by Sinch's times, into the histogram
    // of the Delivered's hour; a summary report's aggregate has no single message and is
    // left out. A message's time is added by the pass whose window holds the later of its
    // two events, whichever came first: Sinch's reports can overtake each other, and a
    // Delivered counted before its Dispatched arrived still gets its time, once.
    sqlx::query!(
        r#"
        WITH pairs AS (
            -- LIMIT 1 (a slot is unique in its message's day) keeps each lookup a probe of
            -- the message's day: joined instead, the planner hashes every day's events.
            SELECT e.created_at, e.category, e.reported_at, e.message_id, sent.reported_at AS sent_at
            FROM events e
            CROSS JOIN LATERAL (
                SELECT s.reported_at FROM events s
                WHERE s.tenant_id = e.tenant_id AND s.message_id = e.message_id
                  AND s.slot = 'sent' AND in_day_of(s.id, e.message_id) AND s.created_at < $3
                LIMIT 1
            ) sent
            WHERE e.tenant_id = $1 AND e.created_at >= $2 AND e.created_at < $3
              AND e.kind = 'delivered' AND e.recipient <> ''
            UNION ALL
            SELECT e.created_at, e.category, e.reported_at, e.message_id, sent.reported_at
            FROM events sent
            CROSS JOIN LATERAL (
                SELECT f.created_at, f.category, f.reported_at, f.message_id FROM events f
                WHERE f.tenant_id = sent.tenant_id AND f.message_id = sent.message_id
                  AND f.slot = 'final' AND in_day_of(f.id, sent.message_id)
                  AND f.kind = 'delivered' AND f.recipient <> '' AND f.created_at < $2
                LIMIT 1
            ) e
            WHERE sent.tenant_id = $1 AND sent.created_at >= $2 AND sent.created_at < $3
              AND sent.slot = 'sent'
        ), times AS (
            -- The first Dispatched made the sent event; a later one is kept apart and
            -- may carry an earlier time.
            SELECT p.created_at, p.category,
                   extract(epoch FROM p.reported_at - least(p.sent_at, (
                       SELECT min(s.reported_at) FROM message_statuses s
                       WHERE s.tenant_id = $1 AND s.message_id = p.message_id
                         AND s.status = 'Dispatched'))) * 1000 AS ms
            FROM pairs p
        )
        INSERT INTO hourly_delivery_times AS h (tenant_id, hour, category, messages, histogram)
        SELECT $1, b.hour, b.category, sum(b.n)::bigint,
               delivery_histogram(array_agg(b.bucket), array_agg(b.n))
        FROM (
            SELECT date_trunc('hour', t.created_at, 'UTC') AS hour,
                   coalesce(t.category, '') AS category,
                   delivery_bucket(t.ms::double precision) AS bucket, count(*) AS n
            FROM times t WHERE t.ms >= 0
            GROUP BY 1, 2, 3
        ) b
        GROUP BY b.hour, b.category
        ON CONFLICT (tenant_id, hour, category) DO UPDATE
        SET messages = h.messages + EXCLUDED.messages,
            histogram = delivery_histogram_add(h.histogram, EXCLUDED.histogram)
        "#,
        tenant.0,
        from,
        until,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
