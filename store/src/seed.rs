//! Synthetic history for benchmarks and demos (`dlrhub dev seed`): reports, their raw
//! bodies, messages, events and forwarding attempts, written set-wise (one
//! statement a chunk) so that millions of rows take minutes, not hours. The rows are those
//! ingestion writes, so that the storage they take is what traffic would take. Never used
//! by the application.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use crate::tenants::TenantId;

/// Writes `count` delivery reports for `tenant`, spread evenly over the last `days` days,
/// oldest first (see [`reports_between`]).
pub async fn reports(
    pool: &PgPool,
    tenant: TenantId,
    first: i64,
    count: i64,
    days: i32,
) -> Result<u64, sqlx::Error> {
    let now = Utc::now();
    reports_between(
        pool,
        tenant,
        first,
        count,
        now - Duration::days(days.into()),
        now,
    )
    .await
}

/// Writes `count` delivery reports for `tenant`, spread evenly from `from` to `to` and
/// written oldest first, as traffic arrives, numbered from `first` (so repeated calls add
/// rather than collide). Each is stored as ingestion stores one: its raw body compressed,
/// its status, its message and event. Of them, 1 % are rejected for a missing uid; the rest
/// each become one message and one event: 10 % SMS Sent, 85 % SMS Delivered, 5 % SMS
/// Delivery Failed, in three categories. Events older than a minute are forwarded at their
/// first attempt (1 % dead letters, with their failed attempt); newer ones wait in the
/// queue. The tenant's registration is moved back to the start of the history.
pub async fn reports_between(
    pool: &PgPool,
    tenant: TenantId,
    first: i64,
    count: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    crate::partitions::prepare_days(pool, from).await?;
    let numbers: Vec<i64> = (first..first + count).collect();
    let step = (to - from) / i32::try_from(count.max(1)).unwrap_or(i32::MAX);
    let times: Vec<DateTime<Utc>> = (0..count)
        .map(|i| from + step * i32::try_from(i).unwrap_or(i32::MAX))
        .collect();
    let bodies: Vec<String> = numbers
        .iter()
        .zip(&times)
        .map(|(&n, &at)| body(n, at))
        .collect();
    let raw = crate::raw_reports::compress_all(bodies.iter().map(String::as_bytes))
        .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    // Digests of the bodies as received, as ingestion makes them.
    let digests: Vec<Vec<u8>> = bodies
        .iter()
        .map(|body| crate::ingest::body_digest(body.as_bytes()))
        .collect();
    // The history predates the tenant's registration.
    sqlx::query!(
        "UPDATE tenants SET created_at = least(created_at, $2) WHERE id = $1",
        tenant.0,
        from,
    )
    .execute(pool)
    .await?;
    let done = sqlx::query!(
        r#"
        WITH numbers AS (
            SELECT * FROM UNNEST($2::bigint[], $3::timestamptz[], $4::bytea[], $6::bytea[])
                AS u (n, at, raw, digest)
        ), stored AS (
            INSERT INTO reports (tenant_id, received_at, received_on, body_sha256,
                                 report_type)
            SELECT $1::bigint, at, (at AT TIME ZONE 'UTC')::date, digest,
                   'recipient_delivery_report_sms'
            FROM numbers ORDER BY n
            RETURNING id, received_at, body_sha256
        ), kept AS (
            INSERT INTO raw_reports (tenant_id, report_id, received_at, codec, body)
            SELECT $1::bigint, s.id, s.received_at, $5, n.raw
            FROM stored s JOIN numbers n ON n.digest = s.body_sha256
            ORDER BY s.id -- as ingestion writes them (raw_reports_report_idx)
        ), parsed AS (
            SELECT s.id, s.received_at, n.n, 'seed' || lpad(n.n::text, 22, '0') AS batch_id
            FROM stored s JOIN numbers n ON n.digest = s.body_sha256
        ), rejected AS (
            INSERT INTO rejections (tenant_id, report_id, received_at, received_on, reason,
                                    detail, client_reference)
            SELECT $1::bigint, id, received_at, (received_at AT TIME ZONE 'UTC')::date,
                   'missing_uid', 'the client_reference has no uid',
                   '$cat=otp'
            FROM parsed WHERE n % 100 = 0
        ), messages_made AS (
            -- On the days they were first seen, as ingestion would have put them.
            INSERT INTO messages (tenant_id, id, batch_id, recipient, customer_id, category,
                                  first_seen_at, final_status)
            SELECT $1::bigint, day_stamped_id(received_at, nextval('message_ids')), batch_id,
                   '+4477009' || lpad((n % 100000)::text, 5, '0'),
                   'user-' || (n % 50000), (ARRAY['otp', 'payment_update', 'promo'])[1 + n % 3],
                   received_at,
                   CASE WHEN n % 20 < 2 THEN NULL WHEN n % 20 = 19 THEN 'Failed' ELSE 'Delivered' END
            FROM parsed WHERE n % 100 <> 0 ORDER BY n
            RETURNING id, batch_id, recipient, customer_id, category, first_seen_at, final_status
        ), events_made AS (
            -- Each report makes an event, which holds its status (none in
            -- message_statuses, as ingestion does).
            INSERT INTO events (tenant_id, id, message_id, report_id, kind, slot, customer_id,
                                category, batch_id, recipient, sinch_status, sinch_code,
                                operator, reported_at, created_at, forward_state, next_attempt_at,
                                attempts, forwarded_at, forward_http_status, forward_latency_ms,
                                last_error)
            SELECT $1::bigint, same_day_id(m.id, nextval('event_ids')), m.id, p.id,
                   CASE WHEN m.final_status IS NULL THEN 'sent'
                        WHEN m.final_status = 'Failed' THEN 'delivery_failed'
                        ELSE 'delivered' END,
                   CASE WHEN m.final_status IS NULL THEN 'sent' ELSE 'final' END,
                   m.customer_id, m.category, m.batch_id, m.recipient,
                   coalesce(m.final_status, 'Dispatched'),
                   CASE WHEN m.final_status IS NULL THEN 401 WHEN m.final_status = 'Failed' THEN 404
                        ELSE 0 END,
                   '23410', m.first_seen_at, m.first_seen_at,
                   f.state,
                   CASE f.state WHEN 'pending' THEN m.first_seen_at END,
                   CASE f.state WHEN 'pending' THEN 0 ELSE 1 END,
                   CASE f.state WHEN 'forwarded' THEN m.first_seen_at + interval '1 second' END,
                   CASE f.state WHEN 'forwarded' THEN 200 END,
                   CASE f.state WHEN 'forwarded' THEN 40 END,
                   CASE f.state WHEN 'dead' THEN 'MoEngage answered 400: MissingAttributeError' END
            FROM messages_made m JOIN parsed p ON p.batch_id = m.batch_id
            -- Each event's fate, decided once: newer than a minute it waits in the queue,
            -- else 1 % are dead letters and the rest were forwarded.
            CROSS JOIN LATERAL (
                SELECT CASE WHEN m.first_seen_at > now() - interval '1 minute' THEN 'pending'
                            WHEN p.n % 100 = 1 THEN 'dead' ELSE 'forwarded' END AS state
            ) f
            ORDER BY p.n
            RETURNING id, created_at, forward_state
        )
        INSERT INTO forward_attempts (tenant_id, event_id, attempt, attempted_at, http_status,
                                      latency_ms, outcome, error)
        SELECT $1::bigint, id, 1, created_at + interval '1 second', 400, 40, 'dead',
               'MoEngage answered 400'
        FROM events_made WHERE forward_state = 'dead' ORDER BY id
        "#,
        tenant.0,
        &numbers,
        &times,
        &raw,
        crate::raw_reports::Codec::ZstdV1 as i16,
        &digests,
    )
    .execute(pool)
    .await?;
    // Written into the past, behind the roll-up's watermark: counted again from the start.
    crate::activity::recount(pool, tenant).await?;
    Ok(done.rows_affected())
}

/// A recipient report as Sinch sends it, with the status the seeded mix gives report `n`.
fn body(n: i64, at: DateTime<Utc>) -> String {
    let (status, code) = match n % 20 {
        0 | 1 => ("Dispatched", 401),
        19 => ("Failed", 404),
        _ => ("Delivered", 0),
    };
    let client_reference = if n % 100 == 0 {
        "$cat=otp".to_owned()
    } else {
        let category = ["otp", "payment_update", "promo"][usize::try_from(n % 3).unwrap_or(0)];
        format!("$uid=user-{}$cat={category}", n % 50_000)
    };
    let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    format!(
        r#"{{"type":"recipient_delivery_report_sms","batch_id":"seed{n:022}","recipient":"+4477009{:05}","code":{code},"status":"{status}","at":"{at}","operator_status_at":"{at}","client_reference":"{client_reference}","operator":"23410","encoding":"GSM","number_of_message_parts":1,"applied_originator":"DLRHUB"}}"#,
        n % 100_000
    )
}
