//! A few statements per batch, each writing one or two tables, since every round trip to
//! PostgreSQL costs both sides CPU whatever it carries: columns travel as arrays and
//! `UNNEST` turns them back into rows. `WITH ORDINALITY` numbers the input rows so that
//! what was inserted can be matched back to its position in the batch.

use chrono::{DateTime, Utc};
use domain::UidRejection;
use sqlx::PgConnection;

use super::plan::{EventRow, MessageDraft, StatusRow};
use super::Submission;

/// Inserts the reports not stored before, each with its raw body compressed, and returns,
/// for each, its position in the batch, id and arrival time. A body repeated within the
/// batch is sent once. A report is a retry of one stored today or yesterday; only a retry
/// arriving just after midnight while its first attempt is still being stored goes unseen
/// and is stored twice (its events are not: each message has one event per slot).
pub(super) async fn insert_reports(
    tx: &mut PgConnection,
    submissions: &[Submission<'_>],
    digests: &[Vec<u8>],
) -> Result<Vec<(usize, i64, DateTime<Utc>)>, sqlx::Error> {
    let mut seen = std::collections::HashSet::new();
    let (mut positions, mut tenants, mut hashes, mut bodies) = (vec![], vec![], vec![], vec![]);
    let mut types = vec![];
    for (position, (submission, digest)) in submissions.iter().zip(digests).enumerate() {
        if !seen.insert((submission.tenant, digest)) {
            continue;
        }
        let report = submission.report;
        positions.push(position);
        tenants.push(submission.tenant.0);
        hashes.push(digest.clone());
        bodies.push(submission.body);
        types.push(report_type(report));
    }
    let raw = crate::raw_reports::compress_all(bodies.iter().copied())
        .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let rows = sqlx::query!(
        r#"
        WITH input AS (
            SELECT * FROM UNNEST($1::bigint[], $2::bytea[], $3::bytea[], $4::text[])
                WITH ORDINALITY AS i (tenant_id, body_sha256, raw, report_type, ord)
        ), stored AS (
            INSERT INTO reports (tenant_id, body_sha256, report_type)
            SELECT tenant_id, body_sha256, report_type::sinch_report_type
            FROM input
            -- A digest is unique in its day, by that day's own key while a retry can
            -- still arrive (migration 22), and Sinch retries a report for about 23
            -- hours: a retry of a report stored yesterday is found there, a retry of one
            -- stored today by the key. (Yesterday is `oldest_retry_day()`, written out:
            -- the statement also runs on databases from before migration 22, in the
            -- upgrade's tests.)
            WHERE NOT EXISTS (
                SELECT FROM reports r
                WHERE r.tenant_id = input.tenant_id AND r.body_sha256 = input.body_sha256
                  AND r.received_on = (now() AT TIME ZONE 'UTC')::date - 1
                -- Probed by the day's key for each report: without the fence PostgreSQL
                -- hashes the whole of yesterday for every batch (8 ms a batch at 28,572
                -- reports a day, against 1; BENCHMARKS.md, ingestion run 13).
                OFFSET 0)
            ORDER BY ord
            ON CONFLICT DO NOTHING
            RETURNING tenant_id, body_sha256, id, received_at
        ), kept AS (
            INSERT INTO raw_reports (tenant_id, report_id, received_at, codec, body)
            SELECT stored.tenant_id, stored.id, stored.received_at, $5, input.raw
            FROM stored JOIN input USING (tenant_id, body_sha256)
            -- In the ids' order, which is what keeps a look-up by the day's BRIN index
            -- of ids (raw_reports_report_idx) to a few pages.
            ORDER BY stored.id
        )
        SELECT input.ord AS "ord!", stored.id AS "id!", stored.received_at AS "received_at!"
        FROM stored JOIN input USING (tenant_id, body_sha256)
        "#,
        &tenants,
        &hashes,
        &raw,
        &types as &[&str],
        crate::raw_reports::Codec::ZstdV1 as i16,
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (positions[ordinal(row.ord)], row.id, row.received_at))
        .collect())
}

fn report_type(report: &domain::SinchReport) -> &'static str {
    match (report.per_recipient, report.channel) {
        (true, domain::Channel::Sms) => "recipient_delivery_report_sms",
        (true, domain::Channel::Mms) => "recipient_delivery_report_mms",
        (false, domain::Channel::Sms) => "delivery_report_sms",
        (false, domain::Channel::Mms) => "delivery_report_mms",
    }
}

/// `WITH ORDINALITY` counts from 1.
fn ordinal(ord: i64) -> usize {
    usize::try_from(ord - 1).expect("ordinals start at 1")
}

pub(super) async fn insert_rejections(
    tx: &mut PgConnection,
    rejected: &[(Submission<'_>, i64, UidRejection)],
) -> Result<(), sqlx::Error> {
    if rejected.is_empty() {
        return Ok(());
    }
    let tenants: Vec<i64> = rejected.iter().map(|(s, ..)| s.tenant.0).collect();
    let reports: Vec<i64> = rejected.iter().map(|(_, id, _)| *id).collect();
    let reasons: Vec<&str> = rejected.iter().map(|(.., r)| r.code()).collect();
    let details: Vec<String> = rejected.iter().map(|(.., r)| r.to_string()).collect();
    let references: Vec<Option<&str>> = rejected
        .iter()
        .map(|(s, ..)| s.report.client_reference_raw.as_deref())
        .collect();
    sqlx::query!(
        r#"
        INSERT INTO rejections (tenant_id, report_id, reason, detail, client_reference)
        SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[])
        "#,
        &tenants,
        &reports,
        &reasons as &[&str],
        &details,
        &references as &[Option<&str>],
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Takes a transaction-long lock on each message the batch is about, in one order, so that
/// concurrent reports about one message (even from other processes) take turns, and two
/// transactions locking the same messages wait for each other instead of deadlocking. A
/// message's key is kept unique by this lock alone (no index holds it since migration
/// 20, and partitions could only hold it per day): without it, two reports about a new
/// message would make it twice.
/// A statement of its own: the next one's snapshot, taken once the locks are held, sees
/// what their previous holders committed.
pub(super) async fn lock_messages(
    tx: &mut PgConnection,
    drafts: &[MessageDraft<'_>],
) -> Result<(), sqlx::Error> {
    let tenants: Vec<i64> = drafts.iter().map(|d| d.key.tenant.0).collect();
    let batches: Vec<&str> = drafts.iter().map(|d| d.key.batch_id).collect();
    let recipients: Vec<&str> = drafts.iter().map(|d| d.key.recipient).collect();
    sqlx::query!(
        r#"
        SELECT count(pg_advisory_xact_lock(hashtext('dlrhub:message'), key)) AS "locked!"
        FROM (
            SELECT DISTINCT hashtext(tenant_id || ' ' || batch_id || ' ' || recipient) AS key
            FROM UNNEST($1::bigint[], $2::text[], $3::text[]) AS k (tenant_id, batch_id,
                                                                     recipient)
            ORDER BY key
        ) keys
        "#,
        &tenants,
        &batches as &[&str],
        &recipients as &[&str],
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(())
}

/// Finds the batch's messages, creates the new ones and gives a first final status to
/// stored ones that had none, in one statement, under [`lock_messages`]; returns each
/// message's position, id and whether it was final before this batch.
///
/// A message is looked for today (and tomorrow), then among the days of the week before
/// (and among the messages kept from before the upgrade, whose ids are below 2^32): one
/// index probe a day, the others pruned. A report about a message first seen longer ago
/// makes a new one, whose final slot is free. At most one message of a key is ever in the
/// window: a second is made only once the first has left it (and those kept from before
/// never leave it).
pub(super) async fn store_messages(
    tx: &mut PgConnection,
    drafts: &[MessageDraft<'_>],
) -> Result<Vec<(usize, i64, bool)>, sqlx::Error> {
    let tenants: Vec<i64> = drafts.iter().map(|d| d.key.tenant.0).collect();
    let batches: Vec<&str> = drafts.iter().map(|d| d.key.batch_id).collect();
    let recipients: Vec<&str> = drafts.iter().map(|d| d.key.recipient).collect();
    let customers: Vec<&str> = drafts.iter().map(|d| d.customer_id).collect();
    let categories: Vec<Option<&str>> = drafts.iter().map(|d| d.category).collect();
    let finals: Vec<Option<&str>> = drafts.iter().map(|d| d.final_status).collect();
    let rows = sqlx::query!(
        r#"
        WITH input AS (
            SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                                 $6::text[])
                WITH ORDINALITY AS i (tenant_id, batch_id, recipient, customer_id, category,
                                      final_status, ord)
        ), found AS (
            SELECT input.ord, m.id, m.final_status, input.tenant_id,
                   input.final_status AS new_final
            FROM input CROSS JOIN LATERAL (
                -- Today first, then the older days: a final status mostly finds its
                -- message today, and the days of one part are probed oldest first,
                -- each a read of a key index that is cold at scale. The second part
                -- runs only when the first found nothing. Both name their days with
                -- `now()`, so the others are pruned as the plan starts.
                SELECT id, final_status FROM messages
                WHERE (tenant_id, batch_id, recipient)
                      = (input.tenant_id, input.batch_id, input.recipient)
                  -- The key of the days made since migration 20 (older days have a
                  -- unique key on the columns themselves).
                  AND hashtext(batch_id) = hashtext(input.batch_id)
                  AND hashtext(recipient) = hashtext(input.recipient)
                  -- To tomorrow's end: a message made just after midnight by a
                  -- transaction begun after this one is still found.
                  AND id >= day_id_floor((now() AT TIME ZONE 'UTC')::date)
                  AND id < day_id_floor((now() AT TIME ZONE 'UTC')::date + 2)
                UNION ALL
                SELECT id, final_status FROM messages
                WHERE (tenant_id, batch_id, recipient)
                      = (input.tenant_id, input.batch_id, input.recipient)
                  AND hashtext(batch_id) = hashtext(input.batch_id)
                  AND hashtext(recipient) = hashtext(input.recipient)
                  -- The week before today, and what was kept from before the upgrade.
                  AND ((id >= day_id_floor((now() AT TIME ZONE 'UTC')::date - 7)
                        AND id < day_id_floor((now() AT TIME ZONE 'UTC')::date))
                       OR id < 4294967296)
                -- No ORDER BY (at most one message of a key is in the window): one by
                -- `id` walked a whole day's primary key (210 ms at 250,000 messages)
                -- instead of probing each day's key.
                LIMIT 1
            ) m
        ), finished AS (
            UPDATE messages SET final_status = found.new_final
            FROM found
            WHERE messages.tenant_id = found.tenant_id AND messages.id = found.id
              AND found.final_status IS NULL AND found.new_final IS NOT NULL
              -- The lookup's window again, though `found` holds only messages in it:
              -- without bounds the plan has to start a scan of every day kept (98 with
              -- the default retention) for each batch; with them, the other days are
              -- pruned as it starts (BENCHMARKS.md, ingestion run 12).
              AND ((messages.id >= day_id_floor((now() AT TIME ZONE 'UTC')::date - 7)
                    AND messages.id < day_id_floor((now() AT TIME ZONE 'UTC')::date + 2))
                   OR messages.id < 4294967296)
        ), made AS (
            INSERT INTO messages (tenant_id, batch_id, recipient, customer_id, category,
                                  final_status)
            SELECT tenant_id, batch_id, recipient, customer_id, category, final_status
            FROM input WHERE ord NOT IN (SELECT ord FROM found)
            ORDER BY ord
            -- Only days made before migration 20 have a unique key to conflict on, never
            -- met under the lock; should it be, the message is missing from the answer
            -- and the call is answered 503 (`store_messages`).
            ON CONFLICT DO NOTHING
            RETURNING tenant_id, batch_id, recipient, id
        )
        SELECT ord AS "ord!", id AS "id!", final_status IS NOT NULL AS "had_final!"
        FROM found
        UNION ALL
        SELECT input.ord, made.id, false
        FROM made JOIN input USING (tenant_id, batch_id, recipient)
        "#,
        &tenants,
        &batches as &[&str],
        &recipients as &[&str],
        &customers as &[&str],
        &categories as &[Option<&str>],
        &finals as &[Option<&str>],
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (ordinal(row.ord), row.id, row.had_final))
        .collect())
}

/// Inserts the events whose slot is still free, and the statuses that made none, in one
/// statement; returns the events it inserted. An event's id is of its message's day. A
/// status that made an event is kept on it (its Sinch status, code, count, time and
/// operator), not in `message_statuses` as well: a message's timeline is both
/// (`events::detail`), and a row fewer a report.
pub(super) async fn insert_statuses_and_events<'r, 'a>(
    tx: &mut PgConnection,
    statuses: &[StatusRow<'_>],
    events: &'r [EventRow<'a>],
) -> Result<Vec<&'r EventRow<'a>>, sqlx::Error> {
    if statuses.is_empty() && events.is_empty() {
        return Ok(Vec::new());
    }
    let status_tenants: Vec<i64> = statuses.iter().map(|r| r.tenant.0).collect();
    let status_messages: Vec<i64> = statuses.iter().map(|r| r.message_id).collect();
    let status_reports: Vec<i64> = statuses.iter().map(|r| r.report_id).collect();
    let status_names: Vec<&str> = statuses.iter().map(|r| r.status).collect();
    let status_codes: Vec<i32> = statuses.iter().map(|r| r.code).collect();
    let status_counts: Vec<i64> = statuses.iter().map(|r| r.count).collect();
    let status_times: Vec<DateTime<Utc>> = statuses.iter().map(|r| r.reported_at).collect();
    let status_operators: Vec<Option<&str>> = statuses.iter().map(|r| r.operator).collect();
    let tenants: Vec<i64> = events.iter().map(|r| r.tenant.0).collect();
    let messages: Vec<i64> = events.iter().map(|r| r.message_id).collect();
    let reports: Vec<i64> = events.iter().map(|r| r.report_id).collect();
    let kinds: Vec<&str> = events.iter().map(|r| r.kind.code()).collect();
    let slots: Vec<&str> = events.iter().map(|r| r.slot.as_str()).collect();
    let customers: Vec<&str> = events.iter().map(|r| r.customer_id).collect();
    let categories: Vec<Option<&str>> = events.iter().map(|r| r.category).collect();
    let batches: Vec<&str> = events.iter().map(|r| r.batch_id).collect();
    let recipients: Vec<&str> = events.iter().map(|r| r.recipient).collect();
    let sinch_statuses: Vec<&str> = events.iter().map(|r| r.sinch_status).collect();
    let codes: Vec<i32> = events.iter().map(|r| r.code).collect();
    let counts: Vec<i64> = events.iter().map(|r| r.count).collect();
    let operators: Vec<Option<&str>> = events.iter().map(|r| r.operator).collect();
    let extras: Vec<serde_json::Value> = events.iter().map(|r| r.extra.clone()).collect();
    let times: Vec<DateTime<Utc>> = events.iter().map(|r| r.reported_at).collect();
    let states: Vec<&str> = events.iter().map(|r| r.state.as_str()).collect();
    let inserted = sqlx::query_scalar!(
        r#"
        WITH input AS (
            SELECT * FROM UNNEST($9::bigint[], $10::bigint[], $11::bigint[], $12::text[],
                                 $13::text[], $14::text[], $15::text[], $16::text[],
                                 $17::text[], $18::text[], $19::int[], $20::bigint[],
                                 $21::text[], $22::jsonb[], $23::timestamptz[], $24::text[])
                WITH ORDINALITY AS i (tenant_id, message_id, report_id, kind, slot,
                                      customer_id, category, batch_id, recipient,
                                      sinch_status, sinch_code, count, operator, extra,
                                      reported_at, forward_state, ord)
        ), stored AS (
            INSERT INTO events (tenant_id, id, message_id, report_id, kind, slot, customer_id,
                                category, batch_id, recipient, sinch_status, sinch_code,
                                count, operator, extra, reported_at, forward_state,
                                next_attempt_at)
            SELECT tenant_id, same_day_id(message_id, nextval('event_ids')), message_id,
                   report_id, kind, slot, customer_id, category,
                   batch_id, recipient, sinch_status, sinch_code, count, operator, extra,
                   reported_at, forward_state,
                   CASE WHEN forward_state = 'pending' THEN now() END
            FROM input ORDER BY ord
            -- A slot is unique in its message's day, where the event goes.
            ON CONFLICT DO NOTHING
            RETURNING tenant_id, message_id, slot, report_id, sinch_status, sinch_code
        ), history AS (
            -- The statuses that made no event: an event holds its own.
            INSERT INTO message_statuses (tenant_id, message_id, report_id, status, code,
                                          count, reported_at, operator)
            SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::text[],
                                 $5::int[], $6::bigint[], $7::timestamptz[], $8::text[])
                AS s (tenant_id, message_id, report_id, status, code, count, reported_at,
                      operator)
            WHERE NOT EXISTS (
                SELECT FROM stored
                WHERE (stored.tenant_id, stored.message_id, stored.report_id,
                       stored.sinch_status, stored.sinch_code)
                      = (s.tenant_id, s.message_id, s.report_id, s.status, s.code))
            ON CONFLICT DO NOTHING
        )
        SELECT input.ord AS "ord!"
        FROM stored JOIN input USING (tenant_id, message_id, slot)
        "#,
        &status_tenants,
        &status_messages,
        &status_reports,
        &status_names as &[&str],
        &status_codes,
        &status_counts,
        &status_times,
        &status_operators as &[Option<&str>],
        &tenants,
        &messages,
        &reports,
        &kinds as &[&str],
        &slots as &[&str],
        &customers as &[&str],
        &categories as &[Option<&str>],
        &batches as &[&str],
        &recipients as &[&str],
        &sinch_statuses as &[&str],
        &codes,
        &counts,
        &operators as &[Option<&str>],
        &extras,
        &times,
        &states as &[&str],
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(inserted
        .into_iter()
        .map(|ord| &events[ordinal(ord)])
        .collect())
}
