//! One statement per table and batch: columns travel as arrays and `UNNEST` turns them
//! back into rows. `WITH ORDINALITY` numbers the input rows so that what was inserted can
//! be matched back to its position in the batch.

use chrono::{DateTime, Utc};
use domain::UidRejection;
use sqlx::PgConnection;

use super::plan::{EventRow, MessageDraft, StatusRow};
use super::Submission;

/// Inserts the reports not stored before, each with its raw body compressed, and returns,
/// for each, its position in the batch, id and arrival time. A body repeated within the
/// batch is sent once.
pub(super) async fn insert_reports(
    tx: &mut PgConnection,
    submissions: &[Submission<'_>],
    digests: &[Vec<u8>],
) -> Result<Vec<(usize, i64, DateTime<Utc>)>, sqlx::Error> {
    let mut seen = std::collections::HashSet::new();
    let (mut positions, mut tenants, mut hashes, mut bodies) = (vec![], vec![], vec![], vec![]);
    let (mut types, mut references) = (vec![], vec![]);
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
        references.push(report.client_reference_raw.as_deref());
    }
    let raw = crate::raw_reports::compress_all(bodies.iter().copied())
        .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let rows = sqlx::query!(
        r#"
        WITH input AS (
            SELECT * FROM UNNEST($1::bigint[], $2::bytea[], $3::bytea[], $4::text[], $5::text[])
                WITH ORDINALITY AS i (tenant_id, body_sha256, raw, report_type,
                                      client_reference, ord)
        ), stored AS (
            INSERT INTO reports (tenant_id, body_sha256, report_type, client_reference)
            SELECT tenant_id, body_sha256, report_type, client_reference
            FROM input ORDER BY ord
            -- reports_digest_key: digests stored before they were cut to 16 bytes are
            -- compared by their first 16.
            ON CONFLICT (tenant_id, substr(body_sha256, 1, 16)) DO NOTHING
            RETURNING tenant_id, body_sha256, id, received_at
        ), kept AS (
            INSERT INTO raw_reports (tenant_id, report_id, received_at, codec, body)
            SELECT stored.tenant_id, stored.id, stored.received_at, $6, input.raw
            FROM stored JOIN input USING (tenant_id, body_sha256)
        )
        SELECT input.ord AS "ord!", stored.id AS "id!", stored.received_at AS "received_at!"
        FROM stored JOIN input USING (tenant_id, body_sha256)
        "#,
        &tenants,
        &hashes,
        &raw,
        &types as &[&str],
        &references as &[Option<&str>],
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

/// Inserts the messages not stored before; returns the position and id of each new one.
pub(super) async fn insert_new_messages(
    tx: &mut PgConnection,
    drafts: &[MessageDraft<'_>],
) -> Result<Vec<(usize, i64)>, sqlx::Error> {
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
        ), stored AS (
            INSERT INTO messages (tenant_id, batch_id, recipient, customer_id, category,
                                  final_status)
            SELECT tenant_id, batch_id, recipient, customer_id, category, final_status
            FROM input ORDER BY ord
            ON CONFLICT (tenant_id, batch_id, recipient) DO NOTHING
            RETURNING tenant_id, batch_id, recipient, id
        )
        SELECT input.ord AS "ord!", stored.id AS "id!"
        FROM stored JOIN input USING (tenant_id, batch_id, recipient)
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
        .map(|row| (ordinal(row.ord), row.id))
        .collect())
}

/// Locks messages stored before this batch and returns each one's position, id and final
/// status. LATERAL keeps this one index probe per message, whatever the planner estimates
/// for the arrays. Rows are locked in key order, so two processes writing the same
/// messages wait for each other instead of deadlocking.
pub(super) async fn lock_messages(
    tx: &mut PgConnection,
    drafts: &[&MessageDraft<'_>],
) -> Result<Vec<(usize, i64, Option<String>)>, sqlx::Error> {
    if drafts.is_empty() {
        return Ok(Vec::new());
    }
    let tenants: Vec<i64> = drafts.iter().map(|d| d.key.tenant.0).collect();
    let batches: Vec<&str> = drafts.iter().map(|d| d.key.batch_id).collect();
    let recipients: Vec<&str> = drafts.iter().map(|d| d.key.recipient).collect();
    let rows = sqlx::query!(
        r#"
        SELECT k.ord AS "ord!", m.id AS "id!", m.final_status
        FROM (
            SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[])
                WITH ORDINALITY AS k (tenant_id, batch_id, recipient, ord)
            ORDER BY tenant_id, batch_id, recipient
        ) k
        CROSS JOIN LATERAL (
            SELECT id, final_status FROM messages
            WHERE (tenant_id, batch_id, recipient) = (k.tenant_id, k.batch_id, k.recipient)
            FOR UPDATE
        ) m
        "#,
        &tenants,
        &batches as &[&str],
        &recipients as &[&str],
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (ordinal(row.ord), row.id, row.final_status))
        .collect())
}

/// Records the first final status of messages that were stored without one (and are
/// locked by this transaction). Written as an upsert because `ON CONFLICT` always finds
/// each row through the unique key; a join on ids let the planner scan a whole tenant.
pub(super) async fn set_final_statuses(
    tx: &mut PgConnection,
    drafts: &[&MessageDraft<'_>],
) -> Result<(), sqlx::Error> {
    if drafts.is_empty() {
        return Ok(());
    }
    let tenants: Vec<i64> = drafts.iter().map(|d| d.key.tenant.0).collect();
    let batches: Vec<&str> = drafts.iter().map(|d| d.key.batch_id).collect();
    let recipients: Vec<&str> = drafts.iter().map(|d| d.key.recipient).collect();
    let customers: Vec<&str> = drafts.iter().map(|d| d.customer_id).collect();
    let finals: Vec<Option<&str>> = drafts.iter().map(|d| d.final_status).collect();
    sqlx::query!(
        r#"
        INSERT INTO messages (tenant_id, batch_id, recipient, customer_id, final_status)
        SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
        ON CONFLICT (tenant_id, batch_id, recipient) DO UPDATE
            SET final_status = EXCLUDED.final_status
            WHERE messages.final_status IS NULL
        "#,
        &tenants,
        &batches as &[&str],
        &recipients as &[&str],
        &customers as &[&str],
        &finals as &[Option<&str>],
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub(super) async fn insert_statuses(
    tx: &mut PgConnection,
    rows: &[StatusRow<'_>],
) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let tenants: Vec<i64> = rows.iter().map(|r| r.tenant.0).collect();
    let messages: Vec<i64> = rows.iter().map(|r| r.message_id).collect();
    let reports: Vec<i64> = rows.iter().map(|r| r.report_id).collect();
    let statuses: Vec<&str> = rows.iter().map(|r| r.status).collect();
    let codes: Vec<i32> = rows.iter().map(|r| r.code).collect();
    let counts: Vec<i64> = rows.iter().map(|r| r.count).collect();
    let times: Vec<DateTime<Utc>> = rows.iter().map(|r| r.reported_at).collect();
    let operators: Vec<Option<&str>> = rows.iter().map(|r| r.operator).collect();
    sqlx::query!(
        r#"
        INSERT INTO message_statuses (tenant_id, message_id, report_id, status, code, count,
                                      reported_at, operator)
        SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::int[],
                             $6::bigint[], $7::timestamptz[], $8::text[])
        ON CONFLICT DO NOTHING
        "#,
        &tenants,
        &messages,
        &reports,
        &statuses as &[&str],
        &codes,
        &counts,
        &times,
        &operators as &[Option<&str>],
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Inserts the events whose slot is still free; returns those it inserted.
pub(super) async fn insert_events<'r, 'a>(
    tx: &mut PgConnection,
    rows: &'r [EventRow<'a>],
) -> Result<Vec<&'r EventRow<'a>>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let tenants: Vec<i64> = rows.iter().map(|r| r.tenant.0).collect();
    let messages: Vec<i64> = rows.iter().map(|r| r.message_id).collect();
    let reports: Vec<i64> = rows.iter().map(|r| r.report_id).collect();
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.code()).collect();
    let slots: Vec<&str> = rows.iter().map(|r| r.slot.as_str()).collect();
    let customers: Vec<&str> = rows.iter().map(|r| r.customer_id).collect();
    let categories: Vec<Option<&str>> = rows.iter().map(|r| r.category).collect();
    let batches: Vec<&str> = rows.iter().map(|r| r.batch_id).collect();
    let recipients: Vec<&str> = rows.iter().map(|r| r.recipient).collect();
    let statuses: Vec<&str> = rows.iter().map(|r| r.sinch_status).collect();
    let codes: Vec<i32> = rows.iter().map(|r| r.code).collect();
    let counts: Vec<i64> = rows.iter().map(|r| r.count).collect();
    let operators: Vec<Option<&str>> = rows.iter().map(|r| r.operator).collect();
    let extras: Vec<serde_json::Value> = rows.iter().map(|r| r.extra.clone()).collect();
    let times: Vec<DateTime<Utc>> = rows.iter().map(|r| r.reported_at).collect();
    let states: Vec<&str> = rows.iter().map(|r| r.state.as_str()).collect();
    let inserted = sqlx::query_scalar!(
        r#"
        WITH input AS (
            SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::text[],
                                 $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                                 $10::text[], $11::int[], $12::bigint[], $13::text[],
                                 $14::jsonb[], $15::timestamptz[], $16::text[])
                WITH ORDINALITY AS i (tenant_id, message_id, report_id, kind, slot,
                                      customer_id, category, batch_id, recipient,
                                      sinch_status, sinch_code, count, operator, extra,
                                      reported_at, forward_state, ord)
        ), stored AS (
            INSERT INTO events (tenant_id, message_id, report_id, kind, slot, customer_id,
                                category, batch_id, recipient, sinch_status, sinch_code,
                                count, operator, extra, reported_at, forward_state,
                                next_attempt_at)
            SELECT tenant_id, message_id, report_id, kind, slot, customer_id, category,
                   batch_id, recipient, sinch_status, sinch_code, count, operator, extra,
                   reported_at, forward_state,
                   CASE WHEN forward_state = 'pending' THEN now() END
            FROM input ORDER BY ord
            ON CONFLICT (tenant_id, message_id, slot) DO NOTHING
            RETURNING tenant_id, message_id, slot
        )
        SELECT input.ord AS "ord!"
        FROM stored JOIN input USING (tenant_id, message_id, slot)
        "#,
        &tenants,
        &messages,
        &reports,
        &kinds as &[&str],
        &slots as &[&str],
        &customers as &[&str],
        &categories as &[Option<&str>],
        &batches as &[&str],
        &recipients as &[&str],
        &statuses as &[&str],
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
        .map(|ord| &rows[ordinal(ord)])
        .collect())
}
