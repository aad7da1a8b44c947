//! Messages are kept by the day of their first report (migration 18), yet a message's
//! final status comes days after its Dispatched: the reports about one message must meet
//! across days.

mod common;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use store::ingest::IngestOutcome;
use store::tenants::Tenant;
use store::PgPool;

async fn ingest(pool: &PgPool, tenant: &Tenant, batch: &str, status: &str) -> IngestOutcome {
    let body = serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": batch, "recipient": "+46701234567",
        "code": 0, "status": status, "at": "2026-12-01T10:00:00Z",
        "client_reference": "$uid=42",
    });
    common::ingest(pool, tenant, &body.to_string()).await
}

/// Moves `batch`'s message, with its statuses and events, to the day `days` ago, as if
/// its first report had come then: ids carry their day.
async fn first_seen_days_ago(pool: &PgPool, batch: &str, days: i32) {
    sqlx::query(
        "SELECT create_daily_partitions(t::regclass, (now() AT TIME ZONE 'UTC')::date - $2,
                                        (now() AT TIME ZONE 'UTC')::date - $2)
         FROM unnest(ARRAY['messages', 'message_statuses', 'events', 'forward_attempts']) AS t",
    )
    .bind(batch)
    .bind(days)
    .execute(pool)
    .await
    .expect("the day exists");
    for statement in [
        "UPDATE message_statuses SET message_id = same_day_id(day_id_floor(
             (now() AT TIME ZONE 'UTC')::date - $2), message_id)
         WHERE message_id IN (SELECT id FROM messages WHERE batch_id = $1)",
        "UPDATE events SET id = same_day_id(day_id_floor((now() AT TIME ZONE 'UTC')::date - $2), id),
             message_id = same_day_id(day_id_floor((now() AT TIME ZONE 'UTC')::date - $2),
                                      message_id)
         WHERE batch_id = $1",
        "UPDATE messages SET id = same_day_id(day_id_floor((now() AT TIME ZONE 'UTC')::date - $2), id),
             first_seen_at = now() - make_interval(days => $2)
         WHERE batch_id = $1",
    ] {
        sqlx::query(statement)
            .bind(batch)
            .bind(days)
            .execute(pool)
            .await
            .expect("moved");
    }
}

/// Each message of `batch`: its age in days by its id, and its events' slots.
async fn messages(pool: &PgPool, batch: &str) -> Vec<(i32, Vec<String>)> {
    sqlx::query_as(
        "SELECT ((now() AT TIME ZONE 'UTC')::date - date '1970-01-01') - (m.id >> 32)::int,
                array_agg(e.slot ORDER BY e.id)
         FROM messages m JOIN events e ON e.message_id = m.id
         WHERE m.batch_id = $1 AND e.id >> 32 = m.id >> 32
         GROUP BY m.id ORDER BY m.id",
    )
    .bind(batch)
    .fetch_all(pool)
    .await
    .expect("the messages")
}

#[sqlx::test(migrations = false)]
async fn a_final_status_days_after_the_dispatch_joins_its_message_on_its_day(
    options: PgPoolOptions,
    db: PgConnectOptions,
) {
    let pool = common::migrated(options, db).await;
    let acme = common::tenant(&pool, "ACME01").await;
    assert!(matches!(
        ingest(&pool, &acme, "B1", "Dispatched").await,
        IngestOutcome::Accepted { enqueued: 1, .. }
    ));
    first_seen_days_ago(&pool, "B1", 6).await;

    assert!(matches!(
        ingest(&pool, &acme, "B1", "Delivered").await,
        IngestOutcome::Accepted { enqueued: 1, .. }
    ));
    assert_eq!(
        messages(&pool, "B1").await,
        [(6, vec!["sent".to_owned(), "final".to_owned()])],
        "one message, its final event on the message's day"
    );
    assert_eq!(
        ingest(&pool, &acme, "B1", "Failed").await,
        IngestOutcome::Accepted {
            enqueued: 0,
            suppressed: 0
        },
        "the final slot is taken, a day ago as today"
    );
}

#[sqlx::test(migrations = false)]
async fn a_report_about_a_message_first_seen_over_a_week_ago_starts_a_new_one(
    options: PgPoolOptions,
    db: PgConnectOptions,
) {
    let pool = common::migrated(options, db).await;
    let acme = common::tenant(&pool, "ACME01").await;
    ingest(&pool, &acme, "B1", "Dispatched").await;
    first_seen_days_ago(&pool, "B1", 9).await;

    assert!(matches!(
        ingest(&pool, &acme, "B1", "Delivered").await,
        IngestOutcome::Accepted { enqueued: 1, .. }
    ));
    assert_eq!(
        messages(&pool, "B1").await,
        [(9, vec!["sent".to_owned()]), (0, vec!["final".to_owned()])],
        "ingestion looks back a week, not through all retention"
    );
}

#[sqlx::test(migrations = false)]
async fn a_message_on_a_day_made_before_hashed_keys_is_still_found(
    options: PgPoolOptions,
    db: PgConnectOptions,
) {
    let pool = common::migrated(options, db).await;
    let acme = common::tenant(&pool, "ACME01").await;
    ingest(&pool, &acme, "B1", "Dispatched").await;
    first_seen_days_ago(&pool, "B1", 3).await;
    // The day as migration 18 made it: a unique key on the columns, no hashed one.
    let day: String = sqlx::query_scalar(
        "SELECT 'messages_p' || to_char((now() AT TIME ZONE 'UTC')::date - 3, 'YYYYMMDD')",
    )
    .fetch_one(&pool)
    .await
    .expect("the day's name");
    for statement in [
        format!("DROP INDEX {day}_key_idx"),
        format!("ALTER TABLE {day} ADD UNIQUE (tenant_id, batch_id, recipient)"),
    ] {
        sqlx::query(&statement)
            .execute(&pool)
            .await
            .expect("the old key");
    }

    assert!(matches!(
        ingest(&pool, &acme, "B1", "Delivered").await,
        IngestOutcome::Accepted { enqueued: 1, .. }
    ));
    assert_eq!(
        messages(&pool, "B1").await,
        [(3, vec!["sent".to_owned(), "final".to_owned()])],
        "one message, found by its old key"
    );
}
