//! Synthetic history for benchmarks and demos (`dlrhub dev seed`): reports, their messages,
//! events and forwarding attempts, written set-wise by PostgreSQL itself so that millions
//! of rows take seconds, not hours. Never used by the application.

use sqlx::PgPool;

use crate::tenants::TenantId;

/// Writes `count` delivery reports for `tenant`, spread evenly over the last `days` days,
/// numbered from `first` (so repeated calls add rather than collide). Of them, 1 % are
/// rejected for a missing uid; the rest each become one message and one event: 10 % SMS
/// Sent, 85 % SMS Delivered, 5 % SMS Delivery Failed, in three categories. Events older
/// than a minute are forwarded (1 % dead letters); newer ones wait in the queue. The
/// tenant's registration is moved back to the start of the history.
pub async fn reports(
    pool: &PgPool,
    tenant: TenantId,
    first: i64,
    count: i64,
    days: i32,
) -> Result<u64, sqlx::Error> {
    // The history predates the tenant's registration, and the roll-up must count it again.
    sqlx::query!(
        r#"
        WITH backdated AS (
            UPDATE tenants SET created_at = least(created_at, now() - make_interval(days => $2))
            WHERE id = $1
        )
        DELETE FROM activity_rollup WHERE tenant_id = $1
        "#,
        tenant.0,
        days,
    )
    .execute(pool)
    .await?;
    let done = sqlx::query!(
        r#"
        WITH numbers AS (
            SELECT g AS n,
                   now() - (($4::float8 * 86400) * (g - $2) / greatest($3::bigint, 1)) * interval '1 second'
                       AS at
            FROM generate_series($2::bigint, $2 + $3::bigint - 1) AS g
        ), stored AS (
            INSERT INTO reports (tenant_id, received_at, body_sha256, body, report_type, batch_id,
                                 client_reference)
            SELECT $1::bigint, at, sha256(convert_to('seed-' || $1::bigint || '-' || n, 'UTF8')), '{}',
                   'recipient_delivery_report_sms', 'seed-' || n,
                   CASE WHEN n % 100 = 0 THEN '$cat=otp'
                        ELSE '$uid=user-' || (n % 50000) || '$cat=' ||
                             (ARRAY['otp', 'payment_update', 'promo'])[1 + n % 3] END
            FROM numbers
            RETURNING id, received_at, batch_id
        ), parsed AS (
            SELECT s.id, s.received_at, s.batch_id, substr(s.batch_id, 6)::bigint AS n
            FROM stored s
        ), rejected AS (
            INSERT INTO rejections (tenant_id, report_id, received_at, reason, detail,
                                    client_reference)
            SELECT $1::bigint, id, received_at, 'missing_uid', 'the client_reference has no uid',
                   '$cat=otp'
            FROM parsed WHERE n % 100 = 0
        ), messages_made AS (
            INSERT INTO messages (tenant_id, batch_id, recipient, customer_id, category,
                                  first_seen_at, final_status)
            SELECT $1::bigint, batch_id, '+4477009' || lpad((n % 100000)::text, 5, '0'),
                   'user-' || (n % 50000), (ARRAY['otp', 'payment_update', 'promo'])[1 + n % 3],
                   received_at,
                   CASE WHEN n % 20 < 2 THEN NULL WHEN n % 20 = 19 THEN 'Failed' ELSE 'Delivered' END
            FROM parsed WHERE n % 100 <> 0
            RETURNING id, batch_id, recipient, customer_id, category, first_seen_at, final_status
        ), events_made AS (
            INSERT INTO events (tenant_id, message_id, report_id, kind, slot, customer_id,
                                category, batch_id, recipient, sinch_status, sinch_code,
                                reported_at, created_at, forward_state, next_attempt_at,
                                attempts, forwarded_at, last_error)
            SELECT $1::bigint, m.id, p.id,
                   CASE WHEN m.final_status IS NULL THEN 'sent'
                        WHEN m.final_status = 'Failed' THEN 'delivery_failed'
                        ELSE 'delivered' END,
                   CASE WHEN m.final_status IS NULL THEN 'sent' ELSE 'final' END,
                   m.customer_id, m.category, m.batch_id, m.recipient,
                   coalesce(m.final_status, 'Dispatched'),
                   CASE WHEN m.final_status IS NULL THEN 401 WHEN m.final_status = 'Failed' THEN 404
                        ELSE 0 END,
                   m.first_seen_at, m.first_seen_at,
                   CASE WHEN m.first_seen_at > now() - interval '1 minute' THEN 'pending'
                        WHEN p.n % 100 = 1 THEN 'dead' ELSE 'forwarded' END,
                   CASE WHEN m.first_seen_at > now() - interval '1 minute' THEN m.first_seen_at END,
                   CASE WHEN m.first_seen_at > now() - interval '1 minute' THEN 0 ELSE 1 END,
                   CASE WHEN m.first_seen_at <= now() - interval '1 minute' AND p.n % 100 <> 1
                        THEN m.first_seen_at + interval '1 second' END,
                   CASE WHEN m.first_seen_at <= now() - interval '1 minute' AND p.n % 100 = 1
                        THEN 'MoEngage answered 400: MissingAttributeError' END
            FROM messages_made m JOIN parsed p ON p.batch_id = m.batch_id
            RETURNING id, created_at, forward_state
        )
        INSERT INTO forward_attempts (tenant_id, event_id, attempt, attempted_at, http_status,
                                      latency_ms, outcome, error)
        SELECT $1::bigint, id, 1, created_at + interval '1 second',
               CASE forward_state WHEN 'dead' THEN 400 ELSE 200 END, 40,
               CASE forward_state WHEN 'dead' THEN 'dead' ELSE 'forwarded' END,
               CASE forward_state WHEN 'dead' THEN 'MoEngage answered 400' END
        FROM events_made WHERE forward_state IN ('forwarded', 'dead')
        "#,
        tenant.0,
        first,
        count,
        f64::from(days),
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
