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
