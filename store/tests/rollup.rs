//! The console's hourly counts are added to pass by pass (migration 19): every report is
//! counted once, including one whose transaction was still open while a pass ran.

mod common;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use store::activity::{roll_up, RollUp};
use store::tenants::Tenant;
use store::PgPool;

async fn delivered(pool: &PgPool, tenant: &Tenant, batch: &str) {
    status(pool, tenant, batch, "Delivered", "2026-12-01T10:00:07Z").await;
}

/// A recipient report about the message of `batch` with `status` at Sinch's time `at`.
async fn status(pool: &PgPool, tenant: &Tenant, batch: &str, status: &str, at: &str) {
    let code = if status == "Dispatched" { 401 } else { 0 };
    let body = serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": batch, "recipient": "+46701234567",
        "code": code, "status": status, "at": at, "client_reference": "$uid=42$cat=otp",
    });
    common::ingest(pool, tenant, &body.to_string()).await;
}

/// Delivered messages with a delivery time, and their median in milliseconds.
async fn timed(pool: &PgPool) -> (i64, Option<f64>) {
    sqlx::query_as(
        "SELECT coalesce(sum(messages), 0)::bigint,
                max(delivery_quantile(histogram, 0.5))::float8
         FROM hourly_delivery_times",
    )
    .fetch_one(pool)
    .await
    .expect("the delivery times")
}

/// Reports received and messages delivered, as the console's hours count them.
async fn counted(pool: &PgPool) -> (i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT coalesce(sum(received), 0)::bigint FROM hourly_traffic),
                (SELECT coalesce(sum(delivered), 0)::bigint FROM hourly_outcomes)",
    )
    .fetch_one(pool)
    .await
    .expect("the hours")
}

async fn pass(pool: &PgPool) {
    let done = roll_up(pool).await.expect("a pass");
    assert!(
        matches!(
            done,
            RollUp::Done {
                caught_up: true,
                ..
            }
        ),
        "{done:?}"
    );
}

#[sqlx::test(migrations = false)]
async fn a_report_committed_after_a_pass_began_is_counted_once_by_a_later_one(
    options: PgPoolOptions,
    db: PgConnectOptions,
) {
    let pool = common::migrated(options, db).await;
    let acme = common::tenant(&pool, "ACME01").await;
    delivered(&pool, &acme, "b-1").await;
    // A transaction that began before the pass, and writes a report it commits after.
    let mut late = pool.begin().await.expect("a transaction");
    sqlx::query(
        "INSERT INTO reports (tenant_id, body_sha256, report_type)
         VALUES ($1, $2, 'recipient_delivery_report_sms')",
    )
    .bind(acme.id.0)
    .bind(vec![1_u8; 16])
    .execute(&mut *late)
    .await
    .expect("the late report");
    delivered(&pool, &acme, "b-2").await;

    pass(&pool).await;
    assert_eq!(
        counted(&pool).await,
        (1, 1),
        "what came after the open transaction began waits for it"
    );

    late.commit().await.expect("committed");
    pass(&pool).await;
    assert_eq!(counted(&pool).await, (3, 2));
    pass(&pool).await;
    assert_eq!(counted(&pool).await, (3, 2), "nothing is counted twice");
}

#[sqlx::test(migrations = false)]
async fn a_tenant_without_a_watermark_has_its_hours_rebuilt_not_added_to(
    options: PgPoolOptions,
    db: PgConnectOptions,
) {
    let pool = common::migrated(options, db).await;
    let acme = common::tenant(&pool, "ACME01").await;
    delivered(&pool, &acme, "b-1").await;
    delivered(&pool, &acme, "b-2").await;
    pass(&pool).await;
    assert_eq!(counted(&pool).await, (2, 2));

    // What `dlrhub dev seed` does after writing history into the past.
    sqlx::query("DELETE FROM activity_rollup")
        .execute(&pool)
        .await
        .expect("forgotten");
    pass(&pool).await;
    assert_eq!(counted(&pool).await, (2, 2));
}

#[sqlx::test(migrations = false)]
async fn a_delivered_counted_before_its_dispatched_arrived_gets_its_time_once(
    options: PgPoolOptions,
    db: PgConnectOptions,
) {
    let pool = common::migrated(options, db).await;
    let acme = common::tenant(&pool, "ACME01").await;
    // Sinch's reports overtook each other: the Delivered is counted first.
    delivered(&pool, &acme, "b-1").await;
    pass(&pool).await;
    assert_eq!(counted(&pool).await, (1, 1));
    assert_eq!(timed(&pool).await.0, 0, "no Dispatched yet, no time");

    status(&pool, &acme, "b-1", "Dispatched", "2026-12-01T10:00:00Z").await;
    pass(&pool).await;
    let (messages, median) = timed(&pool).await;
    assert_eq!(messages, 1, "the time is added once its Dispatched arrives");
    let median = median.expect("a median");
    assert!((median - 7000.0).abs() <= 7000.0 * 0.05, "{median} ms");

    // In order, in two passes, and both in one pass: each message once.
    status(&pool, &acme, "b-2", "Dispatched", "2026-12-01T10:00:00Z").await;
    pass(&pool).await;
    delivered(&pool, &acme, "b-2").await;
    pass(&pool).await;
    status(&pool, &acme, "b-3", "Dispatched", "2026-12-01T10:00:00Z").await;
    delivered(&pool, &acme, "b-3").await;
    pass(&pool).await;
    pass(&pool).await;
    assert_eq!(timed(&pool).await.0, 3, "each delivered message timed once");
    assert_eq!(counted(&pool).await, (6, 3));
}
