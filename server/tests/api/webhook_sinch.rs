//! `POST /webhooks/sinch/{app_key}`: what Sinch is answered, and what is stored.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{eventually, TestApp, TestTenant};

fn recipient_report(status: &str, code: i64, at: &str) -> String {
    json!({
        "type": "recipient_delivery_report_sms", "batch_id": "01FC66621XXXXX119Z8PMV1QPQ",
        "recipient": "+44231235674", "code": code, "status": status, "at": at,
        "operator_status_at": at, "client_reference": "$uid=42$cat=otp$campaign=spring",
        "operator": "23410",
    })
    .to_string()
}

/// Posts a recipient report about the test message and returns the 200 answer.
async fn report_status(
    app: &TestApp,
    tenant: &TestTenant,
    status: &str,
    code: i64,
    at: &str,
) -> Value {
    accepted(
        app.post_report(tenant, &recipient_report(status, code, at))
            .await,
    )
    .await
}

async fn accepted(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("a JSON body")
}

async fn refused(response: reqwest::Response, status: StatusCode, error: &str) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("a JSON reason");
    assert_eq!(body["error"], error, "{body}");
    body["message"].as_str().expect("a message").to_owned()
}

#[sqlx::test(migrations = false)]
async fn a_recipient_report_is_stored_with_its_event_enqueued(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;

    let body = report_status(&app, &acme, "Dispatched", 401, "2024-05-01T10:00:00.250Z").await;

    assert_eq!(
        body,
        json!({ "status": "accepted", "events_enqueued": 1, "events_suppressed": 0 })
    );
    assert_eq!(app.count("reports").await, 1);
    let event: (String, String, String, String, String, i32, String, Value) = sqlx::query_as(
        "SELECT kind, customer_id, category, recipient, sinch_status, sinch_code, forward_state, extra FROM events",
    )
    .fetch_one(&app.pool)
    .await
    .expect("one event");
    assert_eq!(
        event,
        (
            "sent".into(),
            "42".into(),
            "otp".into(),
            "+44231235674".into(),
            "Dispatched".into(),
            401,
            "pending".into(),
            json!({ "campaign": "spring" })
        )
    );
}

#[sqlx::test(migrations = false)]
async fn the_raw_report_is_kept_verbatim(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let raw = format!(
        "  {}\n",
        recipient_report("Delivered", 0, "2024-05-01T10:00:00Z")
    );

    accepted(app.post_report(&acme, &raw).await).await;

    let (codec, stored): (i16, Vec<u8>) = sqlx::query_as("SELECT codec, body FROM raw_reports")
        .fetch_one(&app.pool)
        .await
        .expect("stored");
    assert!(stored.len() < raw.len(), "kept compressed");
    assert_eq!(
        store::raw_reports::decode(codec, &stored).expect("readable"),
        raw
    );
}

#[sqlx::test(migrations = false)]
async fn a_retried_report_is_answered_2xx_and_adds_nothing(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let report = recipient_report("Delivered", 0, "2024-05-01T10:00:00Z");

    accepted(app.post_report(&acme, &report).await).await;
    let retry = accepted(app.post_report(&acme, &report).await).await;

    assert_eq!(retry, json!({ "status": "duplicate" }));
    assert_eq!(app.count("reports").await, 1);
    assert_eq!(timeline(&app).await, ["Delivered"]);
    assert_eq!(app.count("events").await, 1);
}

#[sqlx::test(migrations = false)]
async fn a_retry_arriving_the_day_after_its_report_is_still_a_duplicate(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let report = recipient_report("Delivered", 0, "2024-05-01T10:00:00Z");
    accepted(app.post_report(&acme, &report).await).await;
    // Reports are kept by the UTC day and Sinch retries for about 23 hours: the first
    // attempt moves to yesterday's day, as if the retry came after midnight.
    let days_ago = |days: i32| {
        format!(
            "UPDATE reports SET received_at = received_at - interval '{days} days',
                                received_on = received_on - {days}"
        )
    };
    store::partitions::prepare_days(&app.pool, chrono::Utc::now() - chrono::Duration::days(2))
        .await
        .expect("the past days exist");
    app.execute(&days_ago(1)).await;

    let retry = accepted(app.post_report(&acme, &report).await).await;

    assert_eq!(retry, json!({ "status": "duplicate" }));
    assert_eq!(app.count("reports").await, 1);
    assert_eq!(timeline(&app).await, ["Delivered"]);
    assert_eq!(app.count("events").await, 1);

    // Two days on, a body is past Sinch's retries and stored again, but its message gets
    // no second event: nothing reaches MoEngage twice.
    app.execute(&days_ago(1)).await;
    accepted(app.post_report(&acme, &report).await).await;
    assert_eq!(app.count("reports").await, 2);
    assert_eq!(app.count("events").await, 1);
}

/// The days of reports that keep a digest key, oldest first, as offsets from today.
async fn days_with_a_digest_key(app: &TestApp) -> Vec<i32> {
    sqlx::query_scalar(
        "SELECT to_date(right(c.relname, 8), 'YYYYMMDD') - (now() AT TIME ZONE 'UTC')::date
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'u'
         WHERE i.inhparent = 'reports'::regclass ORDER BY 1",
    )
    .fetch_all(&app.pool)
    .await
    .expect("the days' keys are listed")
}

#[sqlx::test(migrations = false)]
async fn a_digest_key_is_kept_only_while_sinch_can_retry_its_day(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    store::partitions::prepare_days(&app.pool, chrono::Utc::now() - chrono::Duration::days(3))
        .await
        .expect("the past days exist");
    // Days made in the past get no key; the day before yesterday had one when it was today.
    let before_yesterday = format!(
        "reports_p{}",
        (chrono::Utc::now() - chrono::Duration::days(2)).format("%Y%m%d")
    );
    app.execute(&format!(
        "ALTER TABLE {before_yesterday} ADD CONSTRAINT {before_yesterday}_digest_key
             UNIQUE (tenant_id, body_sha256)"
    ))
    .await;
    assert_eq!(
        days_with_a_digest_key(&app).await,
        (-2..=7).collect::<Vec<_>>()
    );

    let dropped = store::partitions::drop_expired_digest_keys(&app.pool)
        .await
        .expect("the expired keys are dropped");

    assert_eq!(dropped, 1);
    assert_eq!(
        days_with_a_digest_key(&app).await,
        (-1..=7).collect::<Vec<_>>()
    );
    // A retry within Sinch's window is still a duplicate, on either day.
    let report = recipient_report("Delivered", 0, "2024-05-01T10:00:00Z");
    accepted(app.post_report(&acme, &report).await).await;
    assert_eq!(
        accepted(app.post_report(&acme, &report).await).await,
        json!({ "status": "duplicate" })
    );
    app.execute(
        "UPDATE reports SET received_at = received_at - interval '1 day',
                            received_on = received_on - 1",
    )
    .await;
    assert_eq!(
        accepted(app.post_report(&acme, &report).await).await,
        json!({ "status": "duplicate" })
    );
    assert_eq!(app.count("reports").await, 1);
}

#[sqlx::test(migrations = false)]
async fn a_status_reported_again_in_another_report_creates_no_second_event(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;

    report_status(&app, &acme, "Delivered", 0, "2024-05-01T10:00:00Z").await;
    let again = report_status(&app, &acme, "Delivered", 0, "2024-05-01T10:00:09Z").await;

    assert_eq!(again["events_enqueued"], 0);
    assert_eq!(app.count("events WHERE kind = 'delivered'").await, 1);
}

/// ACME01's message's statuses as its events' page shows them, in Sinch's order.
async fn timeline(app: &TestApp) -> Vec<String> {
    let tenant = app.tenant_id("ACME01").await;
    let event: i64 = sqlx::query_scalar("SELECT id FROM events ORDER BY id LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .expect("an event of the message");
    let detail = store::events::detail(&app.pool, tenant, event)
        .await
        .expect("read")
        .expect("the event's page");
    detail
        .timeline
        .into_iter()
        .map(|step| step.status)
        .collect()
}

/// The stored story of the message: its final status, its history and its events.
async fn message_story(app: &TestApp) -> (Option<String>, Vec<String>, Vec<(String, String)>) {
    let final_status: Option<String> = sqlx::query_scalar("SELECT final_status FROM messages")
        .fetch_one(&app.pool)
        .await
        .expect("one message");
    let history = timeline(app).await;
    let events: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, forward_state FROM events ORDER BY kind")
            .fetch_all(&app.pool)
            .await
            .expect("events");
    (final_status, history, events)
}

#[sqlx::test(migrations = false)]
async fn dispatched_then_delivered_enqueues_sent_and_delivered(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;

    report_status(&app, &acme, "Dispatched", 401, "2024-05-01T10:00:00Z").await;
    report_status(&app, &acme, "Delivered", 0, "2024-05-01T10:00:05Z").await;

    let (final_status, history, events) = message_story(&app).await;
    assert_eq!(final_status.as_deref(), Some("Delivered"));
    assert_eq!(history, ["Dispatched", "Delivered"]);
    assert_eq!(
        events,
        [
            ("delivered".into(), "pending".into()),
            ("sent".into(), "pending".into())
        ]
    );
}

#[sqlx::test(migrations = false)]
async fn a_dispatched_after_the_final_status_is_stored_but_not_forwarded(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;

    report_status(&app, &acme, "Delivered", 0, "2024-05-01T10:00:05Z").await;
    let late = report_status(&app, &acme, "Dispatched", 401, "2024-05-01T10:00:00Z").await;

    assert_eq!(late["events_suppressed"], 1);
    let (final_status, history, events) = message_story(&app).await;
    assert_eq!(final_status.as_deref(), Some("Delivered"));
    assert_eq!(history, ["Dispatched", "Delivered"]);
    assert_eq!(
        events,
        [
            ("delivered".into(), "pending".into()),
            ("sent".into(), "suppressed".into())
        ]
    );
}

#[sqlx::test(migrations = false)]
async fn only_the_first_final_status_becomes_an_event(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;

    report_status(&app, &acme, "Failed", 404, "2024-05-01T10:00:05Z").await;
    report_status(&app, &acme, "Delivered", 0, "2024-05-01T10:00:09Z").await;

    let (final_status, history, events) = message_story(&app).await;
    assert_eq!(final_status.as_deref(), Some("Failed"));
    assert_eq!(history, ["Failed", "Delivered"]);
    assert_eq!(events, [("delivery_failed".into(), "pending".into())]);
}

#[sqlx::test(migrations = false)]
async fn queued_and_unknown_are_stored_but_not_forwarded(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;

    report_status(&app, &acme, "Queued", 400, "2024-05-01T10:00:00Z").await;
    report_status(&app, &acme, "Unknown", 0, "2024-05-01T10:00:05Z").await;
    report_status(&app, &acme, "Throttled", 9999, "2024-05-01T10:00:06Z").await;

    assert_eq!(app.count("message_statuses").await, 3);
    assert_eq!(app.count("events").await, 0);
}

#[sqlx::test(migrations = false)]
async fn a_full_batch_report_expands_to_one_event_per_recipient(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let report = json!({
        "type": "delivery_report_sms", "batch_id": "B-FULL", "total_message_count": 3,
        "client_reference": "$uid=42",
        "statuses": [
            { "code": 0, "status": "Delivered", "count": 2, "recipients": ["44231235674", "+44231235676"] },
            { "code": 402, "status": "Aborted", "count": 1, "recipients": ["44231235675"] } ] });

    let body = accepted(app.post_report(&acme, &report.to_string()).await).await;

    assert_eq!(body["events_enqueued"], 3);
    let events: Vec<(String, String)> =
        sqlx::query_as("SELECT recipient, kind FROM events ORDER BY recipient")
            .fetch_all(&app.pool)
            .await
            .expect("events");
    assert_eq!(
        events,
        [
            ("+44231235674".into(), "delivered".into()),
            ("+44231235675".into(), "delivery_failed".into()),
            ("+44231235676".into(), "delivered".into()),
        ]
    );
}

#[sqlx::test(migrations = false)]
async fn a_summary_report_yields_one_event_per_status_carrying_its_count(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let report = json!({
        "type": "delivery_report_mms", "batch_id": "B-SUMMARY", "total_message_count": 7,
        "client_reference": "$uid=42$cat=payment_update",
        "statuses": [ { "code": 0, "status": "Delivered", "count": 5 },
                      { "code": 406, "status": "Expired", "count": 2 } ] });

    accepted(app.post_report(&acme, &report.to_string()).await).await;

    let events: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT kind, count, recipient FROM events ORDER BY count DESC")
            .fetch_all(&app.pool)
            .await
            .expect("events");
    assert_eq!(
        events,
        [
            ("delivered".into(), 5, String::new()),
            ("delivery_failed".into(), 2, String::new())
        ]
    );
}

#[sqlx::test(migrations = false)]
async fn reports_without_a_usable_uid_are_answered_200_and_stored_as_rejected(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let without_uid =
        recipient_report("Delivered", 0, "2024-05-01T10:00:00Z").replace("$uid=42", "");
    let placeholder =
        recipient_report("Delivered", 0, "2024-05-01T10:00:01Z").replace("uid=42", "uid=unknown");

    let missing = accepted(app.post_report(&acme, &without_uid).await).await;
    let refused_uid = accepted(app.post_report(&acme, &placeholder).await).await;

    assert_eq!(missing["status"], "rejected");
    assert_eq!(missing["reason"], "missing_uid");
    assert_eq!(refused_uid["reason"], "refused_uid");
    let reasons: Vec<String> =
        sqlx::query_scalar("SELECT reason FROM rejections ORDER BY received_at")
            .fetch_all(&app.pool)
            .await
            .expect("rejections");
    assert_eq!(reasons, ["missing_uid", "refused_uid"]);
    assert_eq!(app.count("reports").await, 2);
    assert_eq!(app.count("events").await, 0);
}

#[sqlx::test(migrations = false)]
async fn concurrent_reports_about_one_message_create_one_event_per_slot(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    // Different bodies (the operator time differs), the same message and statuses.
    let requests = (0..20).map(|i| {
        let (status, code) = if i % 2 == 0 {
            ("Dispatched", 401)
        } else {
            ("Delivered", 0)
        };
        let report = recipient_report(status, code, &format!("2024-05-01T10:00:{:02}Z", i));
        let app = &app;
        let acme = &acme;
        async move { app.post_report(acme, &report).await.status() }
    });

    let statuses = futures::future::join_all(requests).await;

    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(app.count("messages").await, 1);
    assert_eq!(app.count("events WHERE kind = 'sent'").await, 1);
    assert_eq!(app.count("events WHERE kind = 'delivered'").await, 1);
    assert_eq!(
        timeline(&app).await.len(),
        20,
        "every report's status is kept"
    );
}

#[sqlx::test(migrations = false)]
async fn an_unknown_workspace_answers_404_and_is_counted(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let mut ghost = app.tenant("ACME01", true).await;
    ghost.app_key = "GHOST42".into();

    let message = refused(
        app.post_report(&ghost, "{}").await,
        StatusCode::NOT_FOUND,
        "unknown_workspace",
    )
    .await;

    assert!(message.contains("GHOST42"), "{message}");
    // One call could be a made-up id: it is written down only with the next two.
    for _ in 1..server::routes::webhooks::RECORD_AFTER {
        app.post_report(&ghost, "{}").await;
    }
    eventually(
        "a workspace that keeps calling is counted, every call",
        || async {
            app.count(
            "refused_calls WHERE app_key = 'GHOST42' AND reason = 'unknown_tenant' AND calls = 3",
        )
        .await
            == 1
        },
    )
    .await;
}

#[sqlx::test(migrations = false)]
async fn a_flood_of_refused_calls_is_counted_whole(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let beta = app.tenant("BETA02", false).await;
    let report = recipient_report("Delivered", 0, "2024-05-01T10:00:00Z");

    let calls = (0..50).map(|_| app.post_report(&beta, &report));
    for answer in futures::future::join_all(calls).await {
        assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    }

    // Gathered in memory and written per second: none lost, none counted twice.
    eventually("all 50 refused calls are counted", || async {
        app.count("refused_calls WHERE app_key = 'BETA02' AND reason = 'disabled' AND calls = 50")
            .await
            == 1
    })
    .await;
}

#[sqlx::test(migrations = false)]
async fn a_disabled_integration_answers_403_and_counts_the_waiting_traffic(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let beta = app.tenant("BETA02", false).await;
    let report = recipient_report("Delivered", 0, "2024-05-01T10:00:00Z");

    refused(
        app.post_report(&beta, &report).await,
        StatusCode::FORBIDDEN,
        "integration_disabled",
    )
    .await;
    refused(
        app.post_report(&beta, &report).await,
        StatusCode::FORBIDDEN,
        "integration_disabled",
    )
    .await;

    // Refused calls are gathered for a second, then written together.
    eventually("both refused calls are counted", || async {
        app.count("refused_calls WHERE app_key = 'BETA02' AND reason = 'disabled' AND calls = 2")
            .await
            == 1
    })
    .await;
    assert_eq!(app.count("reports").await, 0);
}

#[sqlx::test(migrations = false)]
async fn disabling_a_live_integration_refuses_the_calls_that_follow(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let report = recipient_report("Delivered", 0, "2024-05-01T10:00:00Z");
    accepted(app.post_report(&acme, &report).await).await;

    let app_key = domain::AppKey::parse("ACME01").expect("valid");
    store::tenants::set_integration(&app.pool, &app_key, false, "test")
        .await
        .expect("disables");
    eventually("the disabled integration answers 403", || async {
        app.post_report(&acme, &report).await.status() == StatusCode::FORBIDDEN
    })
    .await;

    store::tenants::set_integration(&app.pool, &app_key, true, "test")
        .await
        .expect("enables");
    eventually("the enabled integration answers 200 again", || async {
        app.post_report(&acme, &report).await.status() == StatusCode::OK
    })
    .await;
}

#[sqlx::test(migrations = false)]
async fn a_workspace_registered_after_sinch_started_calling_is_found(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let unregistered = TestTenant {
        app_key: "LATE01".into(),
        username: "nobody".into(),
        password: "nothing".into(),
    };
    let report = recipient_report("Delivered", 0, "2024-05-01T10:00:00Z");
    let early = app.post_report(&unregistered, &report).await;
    refused(early, StatusCode::NOT_FOUND, "unknown_workspace").await;

    let late = app.tenant("LATE01", true).await;
    eventually("the new workspace's calls are accepted", || async {
        app.post_report(&late, &report).await.status() == StatusCode::OK
    })
    .await;
    assert_eq!(app.count("reports").await, 1);
}

#[sqlx::test(migrations = false)]
async fn wrong_or_missing_credentials_answer_401_and_are_counted(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let mut acme = app.tenant("ACME01", true).await;
    let report = recipient_report("Delivered", 0, "2024-05-01T10:00:00Z");
    let anonymous = app
        .webhook("ACME01")
        .body(report.clone())
        .send()
        .await
        .expect("reaches the server");
    assert_eq!(
        anonymous.headers()["www-authenticate"],
        "Basic realm=\"dlrhub\""
    );
    refused(anonymous, StatusCode::UNAUTHORIZED, "unauthorized").await;

    acme.password.push('x');
    refused(
        app.post_report(&acme, &report).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;

    eventually("both refused calls are counted", || async {
        app.count("refused_calls WHERE reason = 'unauthorized' AND calls = 2")
            .await
            == 1
    })
    .await;
    assert_eq!(app.count("reports").await, 0);
}

#[sqlx::test(migrations = false)]
async fn bad_bodies_get_a_json_reason_and_are_kept_for_support(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let not_json = app
        .client
        .post(format!("{}/webhooks/sinch/ACME01", app.address))
        .basic_auth(&acme.username, Some(&acme.password))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("reaches the server");

    refused(
        not_json,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    refused(
        app.post_report(&acme, "{\"type\": ").await,
        StatusCode::BAD_REQUEST,
        "malformed_report",
    )
    .await;
    let missing = refused(
        app.post_report(
            &acme,
            &recipient_report("Delivered", 0, "2024-05-01T10:00:00Z")
                .replace("\"recipient\"", "\"to\""),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "malformed_report",
    )
    .await;
    assert!(missing.contains("missing field `recipient`"), "{missing}");
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(1024 * 1024));
    refused(
        app.post_report(&acme, &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;

    let kept: Vec<(i16, String, i64)> = sqlx::query_as(
        "SELECT status_code, left(body_excerpt, 9), body_bytes FROM malformed_calls ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .expect("malformed calls");
    assert_eq!(kept[0], (415, "hello".into(), 5));
    assert_eq!(kept[1], (400, "{\"type\": ".into(), 9));
    assert_eq!(kept[2].0, 400);
    assert_eq!(kept[3].0, 413);
    assert!(
        kept[3].2 > 1024 * 1024,
        "the declared size is kept: {:?}",
        kept[3]
    );
    assert_eq!(app.count("reports").await, 0);
}

#[sqlx::test(migrations = false)]
async fn the_record_of_malformed_calls_is_capped_per_tenant(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;

    for i in 0..205 {
        let response = app.post_report(&acme, &format!("not json {i}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }

    assert_eq!(app.count("malformed_calls").await, 200);
    assert_eq!(
        app.count("malformed_calls WHERE body_excerpt = 'not json 204'")
            .await,
        1
    );
    assert_eq!(
        app.count("malformed_calls WHERE body_excerpt = 'not json 4'")
            .await,
        0
    );
}

#[sqlx::test(migrations = false)]
async fn an_unavailable_database_answers_503_so_sinch_retries(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    app.pool.close().await;
    app.drop_database().await;

    let message = refused(
        app.post_report(
            &acme,
            &recipient_report("Delivered", 0, "2024-05-01T10:00:00Z"),
        )
        .await,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
    )
    .await;

    assert!(message.contains("retry later"), "{message}");
}

fn sign(secret: &str, body: &str, nonce: &str, timestamp: &str) -> String {
    use base64::Engine;
    use hmac::Mac;
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{body}.{nonce}.{timestamp}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[sqlx::test(migrations = false)]
async fn with_an_hmac_secret_only_correctly_signed_callbacks_are_ingested(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.signing_tenant("ACME01", "shared-secret").await;
    let report = recipient_report("Delivered", 0, "2024-05-01T10:00:00Z");
    let now = chrono::Utc::now().timestamp().to_string();
    let signed = |signature: String| {
        app.webhook("ACME01")
            .basic_auth(&acme.username, Some(&acme.password))
            .header("x-sinch-webhook-signature", signature)
            .header("x-sinch-webhook-timestamp", now.clone())
            .header("x-sinch-webhook-nonce", "01HX0NONCE")
            .header("x-sinch-webhook-algorithm", "HmacSHA256")
            .body(report.clone())
            .send()
    };

    let unsigned = app.post_report(&acme, &report).await;
    let message = refused(unsigned, StatusCode::UNAUTHORIZED, "invalid_signature").await;
    assert!(message.contains("x-sinch-webhook-signature"), "{message}");
    let forged = signed(sign("wrong-secret", &report, "01HX0NONCE", &now))
        .await
        .expect("answers");
    refused(forged, StatusCode::UNAUTHORIZED, "invalid_signature").await;
    assert_eq!(app.count("reports").await, 0);
    eventually("both refused calls are counted", || async {
        app.count("refused_calls WHERE reason = 'unauthorized' AND calls = 2")
            .await
            == 1
    })
    .await;

    let genuine = signed(sign("shared-secret", &report, "01HX0NONCE", &now))
        .await
        .expect("answers");
    accepted(genuine).await;
    assert_eq!(app.count("reports").await, 1);
}

#[sqlx::test(migrations = false)]
async fn a_database_that_hangs_gets_a_prompt_503_not_a_hanging_call(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    // Another session holds the tenants table: every lookup of the webhook waits on it.
    let mut blocker = app.pool.begin().await.expect("a transaction");
    sqlx::query("LOCK TABLE tenants IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *blocker)
        .await
        .expect("locks");

    let response = app
        .webhook("ACME01")
        .basic_auth(&acme.username, Some(&acme.password))
        .body(recipient_report("Delivered", 0, "2024-05-01T10:00:00Z"))
        // Far above the server's own limit: reaching it would mean the call hung.
        .timeout(std::time::Duration::from_secs(30))
        .send()
        .await
        .expect("an answer before the client gives up");

    let message = refused(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert!(message.contains("retry later"), "{message}");
    blocker.rollback().await.expect("releases the lock");
}
