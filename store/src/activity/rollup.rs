//! The roll-up pass: recomputes each tenant's hours from its watermark to now into
//! `hourly_traffic`, `hourly_outcomes` and `hourly_delivery_times`. Recomputing (rather than adding) makes a pass
//! idempotent, so it may be repeated or interrupted at any point.

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
    },
}

/// Brings every live tenant's hourly counts up to date. A tenant whose watermark is far
/// behind (the first pass after an upgrade) is caught up two days per pass, so a pass
/// stays short.
#[tracing::instrument(skip_all)]
pub async fn roll_up(pool: &PgPool) -> Result<RollUp, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // One process rolls up at a time; the others would only redo the same work.
    let mine = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock(hashtext('dlrhub.activity_rollup')) AS "mine!""#
    )
    .fetch_one(&mut *tx)
    .await?;
    if !mine {
        return Ok(RollUp::Skipped);
    }
    // The per-hour series looks costly to the planner (it guesses 1000 hours), which
    // switches on JIT compilation: ~100 ms per statement for queries that take ~2 ms.
    sqlx::query!("SET LOCAL jit = off")
        .execute(&mut *tx)
        .await?;
    let windows = sqlx::query_as!(
        Window,
        r#"
        SELECT t.id AS "tenant!: TenantId", w.start AS "start!",
               least(now(), w.start + interval '48 hours') AS "stop!",
               -- Hours before this are final: rows are stamped with their transaction's
               -- start, and no transaction that writes them runs for a minute.
               CASE WHEN w.start + interval '48 hours' < now() THEN w.start + interval '48 hours'
                    ELSE date_trunc('hour', now() - interval '1 minute', 'UTC') END AS "final_until!"
        FROM tenants t
        LEFT JOIN activity_rollup r ON r.tenant_id = t.id
        CROSS JOIN LATERAL (
            SELECT date_trunc('hour', coalesce(r.rolled_until, t.created_at), 'UTC') AS start
        ) w
        WHERE t.deleted_at IS NULL
        ORDER BY t.id
        "#
    )
    .fetch_all(&mut *tx)
    .await?;
    for window in &windows {
        roll_up_tenant(&mut tx, window).await?;
    }
    tx.commit().await?;
    Ok(RollUp::Done {
        tenants: windows.len(),
    })
}

struct Window {
    tenant: TenantId,
    start: DateTime<Utc>,
    stop: DateTime<Utc>,
    final_until: DateTime<Utc>,
}

async fn roll_up_tenant(
    tx: &mut Transaction<'static, Postgres>,
    window: &Window,
) -> Result<(), sqlx::Error> {
    let Window {
        tenant,
        start,
        stop,
        final_until,
    } = window;
    // Each count is a range scan on the table's (tenant_id, time) index.
    sqlx::query!(
        r#"
        INSERT INTO hourly_traffic AS h (tenant_id, hour, received, rejected, forwarded, dead_lettered)
        SELECT $1, s.hour,
            -- received_on names the hour's day, which reports and rejections are kept by:
            -- one day's index is read, not every day's.
            (SELECT count(*) FROM reports r WHERE r.tenant_id = $1
               AND r.received_on = (s.hour AT TIME ZONE 'UTC')::date
               AND r.received_at >= s.hour AND r.received_at < s.hour + interval '1 hour'),
            (SELECT count(*) FROM rejections j WHERE j.tenant_id = $1
               AND j.received_on = (s.hour AT TIME ZONE 'UTC')::date
               AND j.received_at >= s.hour AND j.received_at < s.hour + interval '1 hour'),
            attempts.forwarded + (
                SELECT count(*) FROM events e WHERE e.tenant_id = $1
                  AND e.forward_latency_ms IS NOT NULL
                  AND e.forwarded_at >= s.hour AND e.forwarded_at < s.hour + interval '1 hour'
            ),
            attempts.dead
        FROM generate_series($2::timestamptz, $3::timestamptz, interval '1 hour') AS s (hour)
        CROSS JOIN LATERAL (
            -- Successes are kept on their events since 20261206000012; the rows of
            -- those forwarded before count here, and only here.
            SELECT count(*) FILTER (WHERE a.outcome = 'forwarded') AS forwarded,
                   count(*) FILTER (WHERE a.outcome = 'dead') AS dead
            FROM forward_attempts a WHERE a.tenant_id = $1
              AND a.attempted_at >= s.hour AND a.attempted_at < s.hour + interval '1 hour'
        ) attempts
        WHERE s.hour < $3
        ON CONFLICT (tenant_id, hour) DO UPDATE
        SET received = EXCLUDED.received, rejected = EXCLUDED.rejected,
            forwarded = EXCLUDED.forwarded, dead_lettered = EXCLUDED.dead_lettered
        -- Unchanged hours are not rewritten (no dead rows for quiet tenants).
        WHERE (h.received, h.rejected, h.forwarded, h.dead_lettered) IS DISTINCT FROM
              (EXCLUDED.received, EXCLUDED.rejected, EXCLUDED.forwarded, EXCLUDED.dead_lettered)
        "#,
        tenant.0,
        start,
        stop,
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
        SET sent = EXCLUDED.sent, delivered = EXCLUDED.delivered, failed = EXCLUDED.failed
        WHERE (h.sent, h.delivered, h.failed) IS DISTINCT FROM
              (EXCLUDED.sent, EXCLUDED.delivered, EXCLUDED.failed)
        "#,
        tenant.0,
        start,
        stop,
    )
    .execute(&mut **tx)
    .await?;
    // Dispatched -> Delivered per delivered message, by Sinch's times; a summary report's
    // aggregate has no single message and is left out.
    sqlx::query!(
        r#"
        INSERT INTO hourly_delivery_times AS h (tenant_id, hour, category, messages, p50_ms,
                                                p95_ms)
        SELECT $1, date_trunc('hour', e.created_at, 'UTC'), coalesce(e.category, ''), count(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY d.ms)::bigint,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY d.ms)::bigint
        FROM events e
        CROSS JOIN LATERAL (
            SELECT extract(epoch FROM e.reported_at - min(dispatched.at)) * 1000 AS ms
            FROM (
                SELECT s.reported_at AS at FROM message_statuses s
                WHERE s.tenant_id = e.tenant_id AND s.message_id = e.message_id
                  AND s.status = 'Dispatched'
                UNION ALL
                -- A Dispatched that made the message's sent event is kept on it, in the
                -- message's day.
                SELECT sent.reported_at FROM events sent
                WHERE sent.tenant_id = e.tenant_id AND sent.message_id = e.message_id
                  AND sent.slot = 'sent'
                  AND sent.id BETWEEN same_day_id(e.message_id, 0)
                                  AND same_day_id(e.message_id, 4294967295)
            ) dispatched
        ) d
        WHERE e.tenant_id = $1 AND e.created_at >= $2 AND e.created_at < $3
          AND e.kind = 'delivered' AND e.recipient <> '' AND d.ms >= 0
        GROUP BY 2, 3
        ON CONFLICT (tenant_id, hour, category) DO UPDATE
        SET messages = EXCLUDED.messages, p50_ms = EXCLUDED.p50_ms, p95_ms = EXCLUDED.p95_ms
        WHERE (h.messages, h.p50_ms, h.p95_ms) IS DISTINCT FROM
              (EXCLUDED.messages, EXCLUDED.p50_ms, EXCLUDED.p95_ms)
        "#,
        tenant.0,
        start,
        stop,
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        r#"
        INSERT INTO activity_rollup (tenant_id, rolled_until) VALUES ($1, $2)
        ON CONFLICT (tenant_id) DO UPDATE SET rolled_until = EXCLUDED.rolled_until
        "#,
        tenant.0,
        final_until,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
