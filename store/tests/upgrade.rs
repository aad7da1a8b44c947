//! Upgrading a database that holds rows: what an existing deployment's `dlrhub migrate`
//! must keep.

mod common;

use domain::SinchReport;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use store::ingest::{ingest_batch, IngestOutcome, Submission};
use store::PgPool;

/// The migration that keeps reports and rejections by the day.
const REPORTS_BY_DAY: i64 = 20261207000015;
/// The migration that keeps messages, statuses, events and attempts by the day.
const MESSAGES_BY_DAY: i64 = 20261207000018;
/// The migration that finds reports and raw bodies by BRIN indexes, uids and phone
/// numbers by their hashes.
const LEAN_LOOKUPS: i64 = 20261207000021;

/// Applies the migrations before `version` only.
async fn migrated_before(pool: &PgPool, version: i64) {
    let mut before: Migrator = sqlx::migrate!("../migrations");
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < version)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before
        .run(pool)
        .await
        .expect("the earlier migrations apply");
}

#[sqlx::test(migrations = false)]
async fn reports_and_rejections_move_to_their_days_and_a_retry_is_still_a_duplicate(
    options: PgPoolOptions,
    db: PgConnectOptions,
) {
    let pool = options.connect_with(db).await.expect("the test database");
    migrated_before(&pool, REPORTS_BY_DAY).await;
    // Registered by today's code on the old schema: `tenants` is the same in both.
    let acme = common::tenant(&pool, "ACME01").await;
    let body = serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": "B1", "recipient": "+46701234567",
        "code": 0, "status": "Delivered", "at": "2026-11-27T10:00:00Z",
        "client_reference": "$uid=42",
    })
    .to_string()
    .into_bytes();
    // Today's report with its whole SHA-256, as stored before migration 14; one from three
    // days ago, rejected.
    let old_ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO reports (tenant_id, received_at, body_sha256, report_type, client_reference)
         VALUES ($1, now(), sha256($2), 'recipient_delivery_report_sms', '$uid=42'),
                ($1, now() - interval '3 days', '\\x00112233445566778899aabbccddeeff',
                 'recipient_delivery_report_sms', '$cat=otp')
         RETURNING id",
    )
    .bind(acme.id.0)
    .bind(&body)
    .fetch_all(&pool)
    .await
    .expect("the old reports");
    sqlx::query(
        "INSERT INTO rejections (tenant_id, report_id, received_at, reason, detail)
         VALUES ($1, $2, now() - interval '3 days', 'missing_uid', 'no uid')",
    )
    .bind(acme.id.0)
    .bind(old_ids[1])
    .execute(&pool)
    .await
    .expect("the old rejection");

    store::migrate(&pool).await.expect("the upgrade applies");

    let kept: Vec<(i64, i32, bool)> = sqlx::query_as(
        "SELECT id, length(body_sha256),
                received_on = (received_at AT TIME ZONE 'UTC')::date
         FROM reports ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .expect("the reports");
    assert_eq!(
        kept,
        [(old_ids[0], 16, true), (old_ids[1], 16, true)],
        "every report keeps its id, on its day, its digest cut to 16 bytes"
    );
    let rejection_on_its_day: bool = sqlx::query_scalar(
        "SELECT j.received_on = r.received_on
         FROM rejections j JOIN reports r ON r.id = j.report_id",
    )
    .fetch_one(&pool)
    .await
    .expect("the rejection is kept");
    assert!(rejection_on_its_day);

    let parsed = SinchReport::from_json(&body).expect("a valid report");
    let retry = Submission {
        tenant: acme.id,
        body: &body,
        report: &parsed,
    };
    let outcome = ingest_batch(&pool, &[retry]).await.expect("answered");
    assert_eq!(outcome, [IngestOutcome::Duplicate]);

    let (other, parsed) = {
        let body = String::from_utf8(body.clone())
            .expect("utf-8")
            .replace("B1", "B2")
            .into_bytes();
        let parsed = SinchReport::from_json(&body).expect("a valid report");
        (body, parsed)
    };
    let outcome = ingest_batch(
        &pool,
        &[Submission {
            tenant: acme.id,
            body: &other,
            report: &parsed,
        }],
    )
    .await
    .expect("stored");
    assert!(matches!(outcome[..], [IngestOutcome::Accepted { .. }]));
    let newest: i64 = sqlx::query_scalar("SELECT max(id) FROM reports")
        .fetch_one(&pool)
        .await
        .expect("the newest id");
    assert!(
        newest > old_ids[1].max(old_ids[0]),
        "new reports' ids carry on after the old ones"
    );
}

fn delivery_report(batch: &str, status: &str, code: u32) -> String {
    serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": batch, "recipient": "+46701234567",
        "code": code, "status": status, "at": "2026-12-05T10:00:00Z",
        "client_reference": "$uid=42",
    })
    .to_string()
}

#[sqlx::test(migrations = false)]
async fn messages_from_before_days_are_still_found_and_leave_by_retention(
    options: PgPoolOptions,
    db: PgConnectOptions,
) {
    let pool = options.connect_with(db).await.expect("the test database");
    migrated_before(&pool, MESSAGES_BY_DAY).await;
    let acme = common::tenant(&pool, "ACME01").await;
    // Stored by the old schema: B1 dispatched two days ago, its sent event forwarded after a
    // failed attempt; B0 a hundred days ago, with its sent event and attempt.
    let old: Vec<i64> = sqlx::query_scalar(
        "WITH report AS (
             INSERT INTO reports (tenant_id, received_at, received_on, body_sha256, report_type,
                                  client_reference)
             VALUES ($1, now(), (now() AT TIME ZONE 'UTC')::date,
                     '\\x00112233445566778899aabbccddeeff', 'recipient_delivery_report_sms',
                     '$uid=42')
             RETURNING id
         ), message AS (
             INSERT INTO messages (tenant_id, batch_id, recipient, customer_id, first_seen_at)
             VALUES ($1, 'B1', '+46701234567', '42', now() - interval '2 days'),
                    ($1, 'B0', '+46701234567', '42', now() - interval '100 days')
             RETURNING id, batch_id
         ), status AS (
             INSERT INTO message_statuses (tenant_id, message_id, report_id, status, code,
                                           reported_at)
             SELECT $1, message.id, report.id, 'Dispatched', 400, '2026-12-05T09:00:00Z'
             FROM message, report WHERE batch_id = 'B1'
         ), event AS (
             INSERT INTO events (tenant_id, message_id, report_id, kind, slot, customer_id,
                                 batch_id, recipient, sinch_status, sinch_code, reported_at,
                                 forward_state, attempts, forwarded_at)
             SELECT $1, message.id, report.id, 'sent', 'sent', '42', batch_id, '+46701234567',
                    'Dispatched', 400, '2026-12-05T09:00:00Z', 'forwarded', 2, now()
             FROM message, report
             RETURNING id
         ), attempt AS (
             INSERT INTO forward_attempts (tenant_id, event_id, attempt, http_status, latency_ms,
                                           outcome, error)
             SELECT $1, event.id, 1, 503, 40, 'retry', 'MoEngage answered 503' FROM event
         )
         SELECT id FROM message ORDER BY batch_id DESC",
    )
    .bind(acme.id.0)
    .fetch_all(&pool)
    .await
    .expect("the old rows");

    store::migrate(&pool).await.expect("the upgrade applies");

    let delivered = common::ingest(&pool, &acme, &delivery_report("B1", "Delivered", 0)).await;
    assert!(matches!(
        delivered,
        IngestOutcome::Accepted { enqueued: 1, .. }
    ));
    let events: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT message_id, slot, forward_state FROM events WHERE batch_id = 'B1' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .expect("B1's events");
    assert_eq!(
        events,
        [
            (old[0], "sent".to_owned(), "forwarded".to_owned()),
            (old[0], "final".to_owned(), "pending".to_owned()),
        ],
        "the final status joins the message kept from before"
    );
    let (final_status, in_old_table): (Option<String>, i64) = sqlx::query_as(
        "SELECT (SELECT final_status FROM messages WHERE id = $1),
                (SELECT count(*) FROM events_legacy WHERE message_id = $1)",
    )
    .bind(old[0])
    .fetch_one(&pool)
    .await
    .expect("B1");
    assert_eq!(
        (final_status.as_deref(), in_old_table),
        (Some("Delivered"), 2),
        "the new event goes where its message is"
    );
    let final_event: i64 =
        sqlx::query_scalar("SELECT id FROM events WHERE batch_id = 'B1' AND slot = 'final'")
            .fetch_one(&pool)
            .await
            .expect("B1's final event");
    let page = store::events::detail(&pool, acme.id, final_event)
        .await
        .expect("read")
        .expect("the event's page");
    let steps: Vec<&str> = page.timeline.iter().map(|s| s.status.as_str()).collect();
    assert_eq!(
        steps,
        ["Dispatched", "Delivered"],
        "the Dispatched stored before, on its event and apart, shows once"
    );
    assert_eq!(
        common::ingest(&pool, &acme, &delivery_report("B1", "Failed", 403)).await,
        IngestOutcome::Accepted {
            enqueued: 0,
            suppressed: 0
        },
        "a later final status has no slot left"
    );

    let fresh = common::ingest(&pool, &acme, &delivery_report("B2", "Dispatched", 400)).await;
    assert!(matches!(fresh, IngestOutcome::Accepted { enqueued: 1, .. }));
    let (new_message, on_today): (i64, bool) = sqlx::query_as(
        "SELECT id, id >= day_id_floor((now() AT TIME ZONE 'UTC')::date)
         FROM messages WHERE batch_id = 'B2'",
    )
    .fetch_one(&pool)
    .await
    .expect("B2");
    assert!(on_today, "a new message is of today's day");
    assert!(new_message > old[0]);

    let purged = store::retention::purge_older_than(
        &pool,
        chrono::Utc::now() - chrono::Duration::days(90),
        10,
    )
    .await
    .expect("purged");
    assert_eq!(purged.legacy_messages, 1, "B0 goes, row by row: {purged:?}");
    let purged = store::retention::purge_older_than(&pool, chrono::Utc::now(), 10)
        .await
        .expect("purged");
    assert_eq!(purged.legacy_messages, 1, "then B1: {purged:?}");
    let (legacy_left, batches): (Option<String>, Vec<String>) = sqlx::query_as(
        "SELECT to_regclass('messages_legacy')::text,
                (SELECT array_agg(batch_id ORDER BY batch_id) FROM events)",
    )
    .fetch_one(&pool)
    .await
    .expect("what is left");
    assert_eq!(legacy_left, None, "the emptied old tables are dropped");
    assert_eq!(batches, ["B2"], "today's day stays");
}

#[sqlx::test(migrations = false)]
async fn events_stored_before_the_lean_look_ups_are_still_found_with_their_raw_reports(
    options: PgPoolOptions,
    db: PgConnectOptions,
) {
    let pool = options.connect_with(db).await.expect("the test database");
    migrated_before(&pool, LEAN_LOOKUPS).await;
    let acme = common::tenant(&pool, "ACME01").await;
    let beta = common::tenant(&pool, "BETA02").await;
    let before = delivery_report("B1", "Delivered", 0);
    common::ingest(&pool, &acme, &before).await;
    common::ingest(&pool, &beta, &delivery_report("B9", "Delivered", 0)).await;

    store::migrate(&pool).await.expect("the upgrade applies");
    let after = delivery_report("B2", "Dispatched", 400);
    common::ingest(&pool, &acme, &after).await;

    let find = |filter: store::events::EventFilter| {
        let pool = pool.clone();
        async move {
            let found = store::events::search(&pool, &[acme.id], &filter, None, 50)
                .await
                .expect("search");
            let mut batches: Vec<String> = found.into_iter().map(|e| e.event.batch_id).collect();
            batches.sort();
            batches
        }
    };
    let by_uid = store::events::EventFilter {
        customer_id: Some("42".to_owned()),
        ..Default::default()
    };
    let by_phone = store::events::EventFilter {
        recipient: Some("+46701234567".to_owned()),
        ..Default::default()
    };
    assert_eq!(
        find(by_uid).await,
        ["B1", "B2"],
        "the uid's events, this tenant's only"
    );
    assert_eq!(find(by_phone).await, ["B1", "B2"], "the number's events");
    let nobody = store::events::EventFilter {
        customer_id: Some("43".to_owned()),
        ..Default::default()
    };
    assert_eq!(find(nobody).await, Vec::<String>::new());

    for (batch, body) in [("B1", &before), ("B2", &after)] {
        let id: i64 = sqlx::query_scalar("SELECT id FROM events WHERE batch_id = $1")
            .bind(batch)
            .fetch_one(&pool)
            .await
            .expect("the event");
        let page = store::events::detail(&pool, acme.id, id)
            .await
            .expect("read")
            .expect("the event's page");
        assert_eq!(
            page.report.body,
            store::events::RawBody::Kept(body.clone()),
            "{batch}'s report exactly as Sinch sent it"
        );
    }
}
