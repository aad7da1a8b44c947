use chrono::{Duration, Utc};
use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{eventually, TestApp};

#[sqlx::test(migrations = false)]
async fn the_retention_purge_deletes_only_what_is_older_than_the_cutoff(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    // A Queued makes no event: its status is kept apart, in message_statuses.
    for (batch, uid, status) in [
        ("OLD", "42", "Queued"),
        ("OLD", "42", "Delivered"),
        ("NEW", "43", "Queued"),
        ("NEW", "43", "Delivered"),
        ("OLD-REJECTED", "null", "Delivered"),
    ] {
        let report = json!({
            "type": "recipient_delivery_report_sms", "batch_id": batch, "recipient": "+4915112345678",
            "code": 0, "status": status, "at": "2024-05-01T10:00:00Z",
            "client_reference": format!("$uid={uid}") });
        assert!(app
            .post_report(&acme, &report.to_string())
            .await
            .status()
            .is_success());
    }
    assert!(app
        .post_report(&acme, "garbage")
        .await
        .status()
        .is_client_error());
    // The tenant's first roll-up rebuilds its hours from nothing: it must be past before an
    // old hour is written below, or it deletes it.
    eventually("the tenant's hours are rolled up once", || async {
        app.count("activity_rollup").await == 1
    })
    .await;
    // The reports move to their day a hundred days ago, with the rejection, and so does the
    // OLD message with its statuses, events and attempts: their ids carry their day.
    app.execute(
        "SELECT create_daily_partitions(t::regclass, (now() AT TIME ZONE 'UTC')::date - 100,
                                        (now() AT TIME ZONE 'UTC')::date - 100)
             FROM unnest(ARRAY['reports', 'rejections', 'messages', 'message_statuses',
                               'events', 'forward_attempts']) AS t;
         UPDATE reports SET received_at = now() - interval '100 days',
                            received_on = (now() AT TIME ZONE 'UTC')::date - 100
             WHERE id IN (SELECT report_id FROM message_statuses s
                          JOIN messages m ON m.id = s.message_id WHERE m.batch_id = 'OLD'
                          UNION ALL SELECT report_id FROM events WHERE batch_id = 'OLD'
                          UNION ALL SELECT report_id FROM rejections);
         UPDATE rejections SET received_at = now() - interval '100 days',
                               received_on = (now() AT TIME ZONE 'UTC')::date - 100;
         CREATE TEMP TABLE old_day AS
             SELECT day_id_floor((now() AT TIME ZONE 'UTC')::date - 100) AS floor;
         UPDATE forward_attempts SET event_id = same_day_id(floor, event_id) FROM old_day
             WHERE event_id IN (SELECT id FROM events WHERE batch_id = 'OLD');
         UPDATE message_statuses SET message_id = same_day_id(floor, message_id) FROM old_day
             WHERE message_id IN (SELECT id FROM messages WHERE batch_id = 'OLD');
         UPDATE events SET id = same_day_id(floor, id),
                           message_id = same_day_id(floor, message_id)
             FROM old_day WHERE batch_id = 'OLD';
         UPDATE messages SET id = same_day_id(floor, id),
                             first_seen_at = now() - interval '100 days'
             FROM old_day WHERE batch_id = 'OLD';
         UPDATE malformed_calls SET received_at = now() - interval '100 days';
         INSERT INTO hourly_traffic (tenant_id, hour, received)
             SELECT id, date_trunc('hour', now() - interval '100 days', 'UTC'), 7 FROM tenants;",
    )
    .await;
    assert_eq!(
        app.count("messages").await,
        2,
        "the OLD and NEW messages (the rejected report makes none)"
    );
    assert_eq!(app.count("message_statuses").await, 2, "the two Queued");

    // Batches of 1 exercise the loop that drains a tenant batch by batch.
    let purged = store::retention::purge_older_than(&app.pool, Utc::now() - Duration::days(90), 1)
        .await
        .expect("purges");

    assert_eq!(purged.malformed_calls, 1);
    assert_eq!(
        purged.days, 6,
        "the old day of reports, rejections, messages, statuses, events and attempts: {purged:?}"
    );
    assert_eq!(purged.legacy_messages, 0, "no message is from before days");
    assert_eq!(purged.hours, 1, "the old hour's counts go too");
    let left: Vec<String> = sqlx::query_scalar("SELECT batch_id FROM events")
        .fetch_all(&app.pool)
        .await
        .expect("events");
    assert_eq!(left, ["NEW"], "events go with their message");
    assert_eq!(
        app.count("rejections").await,
        0,
        "rejections go with their report"
    );
    assert_eq!(app.count("reports").await, 2, "NEW's two");
    let messages: Vec<String> = sqlx::query_scalar("SELECT batch_id FROM messages")
        .fetch_all(&app.pool)
        .await
        .expect("messages");
    assert_eq!(messages, ["NEW"]);
    assert_eq!(
        app.count("message_statuses").await,
        1,
        "the NEW message's Queued stays"
    );
}
