//! The console's tenant work, through its server functions: the overview's numbers and
//! "needs attention", the self-checks against MoEngage and the callback URL, rotating
//! credentials, replacing the Data API key, and deleting a tenant.

use domain::access::Role;
use reqwest::StatusCode;
use serde_json::Value;
use server::sim::moengage::Running;
use server::workers::forwarding::ForwardingSettings;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{eventually, moengage_simulator, TestApp, Visitor};

/// The Data API key `TestApp::tenant` registers.
const API_KEY: &str = "moe-test-key-1234";

fn report(batch: &str, status: &str, client_reference: &str) -> String {
    serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": batch, "recipient": "+447700900001",
        "code": 0, "status": status, "at": "2026-11-27T10:00:00Z",
        "client_reference": client_reference,
    })
    .to_string()
}

async fn json(visitor: &Visitor, endpoint: &str, args: &[(&str, &str)]) -> Value {
    answer(visitor, endpoint, args, StatusCode::OK).await
}

/// Wrong input, refused with a message per field.
async fn refused(visitor: &Visitor, endpoint: &str, args: &[(&str, &str)]) -> Value {
    answer(visitor, endpoint, args, StatusCode::UNPROCESSABLE_ENTITY).await
}

async fn answer(
    visitor: &Visitor,
    endpoint: &str,
    args: &[(&str, &str)],
    expected: StatusCode,
) -> Value {
    let response = visitor.call(endpoint, args).await;
    let status = response.status();
    let body = response.text().await.expect("a body");
    assert_eq!(status, expected, "{endpoint}: {body}");
    serde_json::from_str(&body).expect("JSON")
}

async fn forwarding_to(db: PgConnectOptions, sim: &Running) -> TestApp {
    let settings = ForwardingSettings {
        base_url: Some(sim.base_url()),
        poll: std::time::Duration::from_millis(20),
        ..ForwardingSettings::default()
    };
    TestApp::spawn_forwarding(db, settings).await
}

#[sqlx::test(migrations = false)]
async fn the_overview_counts_the_day_and_points_at_what_needs_attention(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let beta = app.tenant("BETA02", false).await;
    let delivered = report("b-1", "Delivered", "$uid=42$cat=otp");
    assert_eq!(app.post_report(&acme, &delivered).await.status(), 200);
    let no_uid = report("b-2", "Delivered", "$cat=otp");
    assert_eq!(app.post_report(&acme, &no_uid).await.status(), 200);
    // Sinch already calls BETA02, whose integration is still off.
    assert_eq!(app.post_report(&beta, &delivered).await.status(), 403);

    let admin = app.admin().await;
    // The roll-up runs every 200 ms here; refused calls are written a second after them.
    eventually(
        "the day is rolled up and the refused call counted",
        || async {
            let overview = json(&admin, "overview", &[]).await;
            overview["day"]["received"] == 2
                && overview["attention"].to_string().contains("1 call waiting")
        },
    )
    .await;
    let overview = json(&admin, "overview", &[]).await;
    assert_eq!(overview["tenants"], 2);
    assert_eq!(overview["day"]["rejected"], 1, "{overview}");
    assert_eq!(overview["day"]["delivered"], 1, "{overview}");
    assert_eq!(
        overview["backlog"], 1,
        "nothing forwards in this app: {overview}"
    );
    let hours = overview["hours"].as_array().expect("hours");
    assert_eq!(hours.len(), 24, "one bar per hour of the day");
    assert_eq!(hours.last().expect("this hour")["delivered"], 1);
    let attention = overview["attention"].to_string();
    assert!(
        attention.contains("Sinch is calling but the integration is disabled (1 call waiting"),
        "{attention}"
    );
    assert!(
        attention.contains("/tenants/BETA02?tab=settings"),
        "{attention}"
    );

    // ACME01's charts: the delivered message, in its category.
    let charts = json(&admin, "tenant_charts", &[("app_key", "ACME01")]).await;
    assert_eq!(charts["day"].as_array().map(Vec::len), Some(24));
    assert_eq!(charts["week"].as_array().map(Vec::len), Some(168));
    assert_eq!(
        charts["categories"],
        serde_json::json!([{ "category": "otp", "sent": 0, "delivered": 1, "failed": 0 }])
    );
    // And what was rejected, with the client_reference to show the customer.
    let rejected = &charts["rejections"];
    assert_eq!(rejected.as_array().map(Vec::len), Some(1), "{rejected}");
    assert_eq!(rejected[0]["reason"], "missing_uid");
    assert_eq!(rejected[0]["client_reference"], "$cat=otp");

    // A viewer of ACME01 sees ACME01's numbers only, and nothing about BETA02.
    let viewer = app.signed_in(Role::Viewer, &["ACME01"]).await;
    let theirs = json(&viewer, "overview", &[]).await;
    assert_eq!(theirs["tenants"], 1);
    assert_eq!(theirs["day"]["received"], 2);
    assert!(!theirs.to_string().contains("BETA02"), "{theirs}");

    // The tenants list says the same per tenant, and shows BETA02's waiting traffic.
    let rows = json(&admin, "tenants_activity", &[]).await;
    let beta_row = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| row["app_key"] == "BETA02")
        .expect("BETA02 is listed")
        .clone();
    assert_eq!(beta_row["waiting_calls"], 1, "{beta_row}");
    // Enabling it starts the count of refused calls again.
    admin
        .call(
            "set_integration",
            &[("app_key", "BETA02"), ("enabled", "true")],
        )
        .await;
    let after = json(&admin, "overview", &[]).await;
    assert!(
        !after["attention"]
            .to_string()
            .contains("integration is disabled"),
        "{after}"
    );
}

#[sqlx::test(migrations = false)]
async fn credentials_are_tried_against_moengage_before_and_after_registering(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let sim = moengage_simulator(&["ACME01:moe-test-key-1234", "NEW001:good-key"], 500).await;
    let app = forwarding_to(db, &sim).await;
    app.tenant("ACME01", true).await;
    let support = app.signed_in(Role::Support, &[]).await;

    let good = [
        ("app_key", "NEW001"),
        ("data_center", "DC-02"),
        ("data_api_key", "good-key"),
    ];
    let answer = json(&support, "test_new_credentials", &good).await;
    assert_eq!(answer["ok"], true, "{answer}");
    let bad = [
        ("app_key", "NEW001"),
        ("data_center", "DC-02"),
        ("data_api_key", "wrong-key"),
    ];
    let answer = json(&support, "test_new_credentials", &bad).await;
    assert_eq!(answer["ok"], false, "{answer}");
    assert!(answer["message"].to_string().contains("401"), "{answer}");
    let malformed = [
        ("app_key", "no spaces allowed"),
        ("data_center", "DC-09"),
        ("data_api_key", ""),
    ];
    let answer = refused(&support, "test_new_credentials", &malformed).await;
    let fields: Vec<&str> = answer["Invalid"]
        .as_array()
        .expect("field errors")
        .iter()
        .filter_map(|pair| pair[0].as_str())
        .collect();
    assert_eq!(
        fields,
        ["app_key", "data_center", "data_api_key"],
        "{answer}"
    );

    let stored = json(
        &support,
        "test_tenant_credentials",
        &[("app_key", "ACME01")],
    )
    .await;
    assert_eq!(stored["ok"], true, "{stored}");
    assert!(
        sim.simulator.received().is_empty(),
        "checking credentials stores no event"
    );
}

#[sqlx::test(migrations = false)]
async fn a_test_report_travels_the_whole_path_to_moengage(_: PgPoolOptions, db: PgConnectOptions) {
    let sim = moengage_simulator(&["ACME01:moe-test-key-1234"], 500).await;
    let app = forwarding_to(db, &sim).await;
    app.tenant("ACME01", false).await;
    let admin = app.admin().await;

    let refused = json(&admin, "send_test_report", &[("app_key", "ACME01")]).await;
    assert_eq!(refused["ok"], false);
    assert!(refused["message"].to_string().contains("403"), "{refused}");

    admin
        .call(
            "set_integration",
            &[("app_key", "ACME01"), ("enabled", "true")],
        )
        .await;
    let sent = json(&admin, "send_test_report", &[("app_key", "ACME01")]).await;
    assert_eq!(sent["ok"], true, "{sent}");
    let batch = sent["batch_id"].as_str().expect("a batch id").to_owned();
    let events = json(&admin, "tenant_events", &[("app_key", "ACME01")]).await;
    let event = events
        .as_array()
        .expect("events")
        .iter()
        .find(|event| event["batch_id"] == batch.as_str())
        .expect("the test report's event is listed")
        .clone();
    assert_eq!(event["uid"], "dlrhub-self-check");
    assert_eq!(event["kind"], "delivered");
    eventually("MoEngage receives the self-check's event", || async {
        sim.simulator
            .received()
            .iter()
            .any(|r| r.customer_id == "dlrhub-self-check" && r.action == "SMS Delivered")
    })
    .await;
    // The overview counts it as received and, once the attempt is recorded, forwarded.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let overview = json(&admin, "overview", &[]).await;
        if overview["day"]["received"] == 1 && overview["day"]["forwarded"] == 1 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{overview}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[sqlx::test(migrations = false)]
async fn rotated_credentials_lock_out_the_old_callback_url(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let old = app.tenant("ACME01", true).await;
    let support = app.signed_in(Role::Support, &[]).await;

    let url = json(
        &support,
        "rotate_callback_credentials",
        &[("app_key", "ACME01")],
    )
    .await;
    let url = url::Url::parse(url.as_str().expect("the new URL")).expect("a URL");
    assert_ne!(url.password(), Some(old.password.as_str()));
    // The change reaches the webhook's tenant cache by a notification, within
    // milliseconds.
    let body = report("b-1", "Delivered", "$uid=42");
    eventually("the old callback URL answers 401", || async {
        app.post_report(&old, &body).await.status() == 401
    })
    .await;
    let answer = app
        .webhook("ACME01")
        .basic_auth(url.username(), url.password())
        .body(body.clone())
        .send()
        .await
        .expect("answers");
    assert_eq!(answer.status(), 200, "the new URL's credentials work");

    let secret = json(
        &support,
        "set_hmac_signing",
        &[("app_key", "ACME01"), ("on", "true")],
    )
    .await;
    assert!(secret.as_str().is_some_and(|s| s.len() >= 40), "{secret}");
    eventually("unsigned callbacks are refused", || async {
        let unsigned = app
            .webhook("ACME01")
            .basic_auth(url.username(), url.password())
            .body(report("b-2", "Delivered", "$uid=42"))
            .send()
            .await
            .expect("answers");
        unsigned.status() == 401
    })
    .await;
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE target = 'ACME01' ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .expect("audit entries");
    assert_eq!(
        actions,
        ["callback_credentials_rotated", "hmac_secret_changed"]
    );
}

#[sqlx::test(migrations = false)]
async fn a_new_data_api_key_resumes_forwarding_paused_by_a_401(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.tenant("ACME01", true).await;
    app.execute(
        "UPDATE tenants SET forwarding_paused_at = now(), forwarding_paused_reason = 'MoEngage refused the workspace''s Data API key (401)'",
    )
    .await;
    let support = app.signed_in(Role::Support, &[]).await;
    let detail = json(&support, "get_tenant", &[("app_key", "ACME01")]).await;
    assert!(detail["forwarding"]["paused"].is_string(), "{detail}");

    let empty = refused(
        &support,
        "replace_data_api_key",
        &[("app_key", "ACME01"), ("data_api_key", "  ")],
    )
    .await;
    assert_eq!(empty["Invalid"][0][0], "data_api_key", "{empty}");
    let replaced = json(
        &support,
        "replace_data_api_key",
        &[("app_key", "ACME01"), ("data_api_key", "new-key-9876")],
    )
    .await;
    assert_eq!(replaced, "9876");
    let detail = json(&support, "get_tenant", &[("app_key", "ACME01")]).await;
    assert!(detail["forwarding"]["paused"].is_null(), "{detail}");
    assert_eq!(detail["data_api_key_last4"], "9876");
    assert_ne!(API_KEY, "new-key-9876");
}

#[sqlx::test(migrations = false)]
async fn forwarding_options_are_checked_saved_and_audited(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.tenant("ACME01", true).await;
    let support = app.signed_in(Role::Support, &[]).await;

    let wrong = refused(
        &support,
        "set_forwarding",
        &[
            ("app_key", "ACME01"),
            ("rate_per_s", "900"),
            ("concurrency", "none"),
        ],
    )
    .await;
    let fields: Vec<&str> = wrong["Invalid"]
        .as_array()
        .expect("field errors")
        .iter()
        .filter_map(|pair| pair[0].as_str())
        .collect();
    assert_eq!(fields, ["rate_per_s", "concurrency"], "{wrong}");

    // The bulk API takes twice the events: 900/s is fine there.
    let bulk = json(
        &support,
        "set_forwarding",
        &[
            ("app_key", "ACME01"),
            ("rate_per_s", "900"),
            ("concurrency", "2"),
            ("bulk", "on"),
        ],
    )
    .await;
    assert_eq!(bulk, serde_json::json!(null), "{bulk}");

    // Ticked checkboxes send a value; unticked ones send nothing.
    let saved = json(
        &support,
        "set_forwarding",
        &[
            ("app_key", "ACME01"),
            ("rate_per_s", "120"),
            ("concurrency", "2"),
            ("bulk", "on"),
        ],
    )
    .await;
    assert_eq!(saved, serde_json::json!(null));
    let detail = json(&support, "get_tenant", &[("app_key", "ACME01")]).await;
    assert_eq!(
        detail["forwarding"],
        serde_json::json!({
            "rate_per_s": 120, "concurrency": 2, "bulk": true, "full_recipient": false,
            "paused": null,
            "now": { "rate_now": 0, "waiting": 0, "drain_eta": null, "growing": false,
                     "failing_since": null }
        })
    );
    let change: Value = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE action = 'forwarding_changed' AND target = 'ACME01'
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("audited");
    assert_eq!(change["rate_per_s"], 120, "{change}");
}

#[sqlx::test(migrations = false)]
async fn a_deleted_tenant_leaves_the_console_and_its_callbacks_answer_404(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let admin = app.admin().await;

    let wrong = refused(
        &admin,
        "delete_tenant",
        &[("app_key", "ACME01"), ("confirmation", "acme01")],
    )
    .await;
    assert_eq!(wrong["Invalid"][0][0], "confirmation", "{wrong}");
    assert_eq!(
        app.post_report(&acme, &report("b-1", "Delivered", "$uid=42"))
            .await
            .status(),
        200,
        "nothing changed yet"
    );

    let deleted = admin
        .call(
            "delete_tenant",
            &[("app_key", "ACME01"), ("confirmation", "ACME01")],
        )
        .await;
    assert!(deleted.status().is_success() || deleted.status().is_redirection());
    let rows = json(&admin, "tenants_activity", &[]).await;
    assert_eq!(rows, serde_json::json!([]));
    let page = admin.call("get_tenant", &[("app_key", "ACME01")]).await;
    assert_eq!(page.status(), 404);
    let callback = app
        .post_report(&acme, &report("b-2", "Delivered", "$uid=42"))
        .await;
    assert_eq!(callback.status(), 404);
    assert_eq!(app.count("reports").await, 1, "its reports stay");
    assert_eq!(
        app.count("audit_log WHERE action = 'tenant_deleted' AND target = 'ACME01'")
            .await,
        1
    );
}

#[sqlx::test(migrations = false)]
async fn seeded_history_is_rolled_up_hour_by_hour(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.tenant("SEED01", true).await;
    let tenant = app.tenant_id("SEED01").await;
    store::seed::reports(&app.pool, tenant, 0, 300, 2)
        .await
        .expect("seeds");
    store::seed::reports(&app.pool, tenant, 300, 100, 2)
        .await
        .expect("adds");
    assert_eq!(app.count("reports").await, 400);
    assert_eq!(app.count("rejections").await, 4, "1 in 100 has no uid");
    assert_eq!(app.count("events").await, 396);

    // Two days of history take one pass of the roll-up (it catches up an hour a step,
    // for up to 5 s a pass); the worker runs every 200 ms here.
    let sums = || async {
        sqlx::query_as::<_, (i64, i64, i64)>(
            "SELECT (SELECT coalesce(sum(received), 0)::bigint FROM hourly_traffic),
                    (SELECT coalesce(sum(rejected), 0)::bigint FROM hourly_traffic),
                    (SELECT coalesce(sum(sent + delivered + failed), 0)::bigint FROM hourly_outcomes)",
        )
        .fetch_one(&app.pool)
        .await
        .expect("sums")
    };
    eventually("every seeded report is counted in its hour", || async {
        sums().await == (400, 4, 396)
    })
    .await;
    let hours: i64 = app.count("hourly_traffic WHERE received > 0").await;
    assert!(hours >= 48, "spread over two days, not one hour: {hours}");
}

#[sqlx::test(migrations = false)]
async fn empty_consoles_say_what_to_do_next_for_each_role(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let viewer = app.signed_in(Role::Viewer, &[]).await;
    let support = app.signed_in(Role::Support, &[]).await;

    let theirs = viewer.get("/").await.text().await.expect("a page");
    assert!(theirs.contains("An admin gives you access"), "{theirs}");
    assert!(!theirs.contains("Register a MoEngage workspace"));
    let ours = support.get("/").await.text().await.expect("a page");
    assert!(ours.contains("Register a MoEngage workspace"));
    let list = support.get("/tenants").await.text().await.expect("a page");
    assert!(list.contains("Register a MoEngage workspace below"));
}
