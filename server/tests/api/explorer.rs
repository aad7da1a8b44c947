//! The event explorer's event page and dead letters, against the MoEngage simulator:
//! an event's whole story, and replaying or discarding what MoEngage refused.

use domain::access::Role;
use serde_json::Value;
use server::sim::moengage::{Faults, Running};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::forwarding::settings;
use crate::helpers::{eventually, moengage_simulator, TestApp, TestTenant, Visitor};

fn report(batch: &str, to: &str, status: &str, code: u32, at: &str, uid: &str) -> String {
    serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": batch, "recipient": to,
        "code": code, "status": status, "at": at, "operator": "24001",
        "client_reference": format!("$uid={uid}$cat=otp"),
    })
    .to_string()
}

async fn post(app: &TestApp, tenant: &TestTenant, body: &str) {
    assert_eq!(app.post_report(tenant, body).await.status(), 200);
}

/// Calls a server function and reads its JSON answer, asserting the status.
async fn call(visitor: &Visitor, endpoint: &str, args: &[(&str, &str)], status: u16) -> Value {
    let response = visitor.call(endpoint, args).await;
    let got = response.status();
    let body = response.text().await.expect("a body");
    assert_eq!(got, status, "{endpoint}: {body}");
    serde_json::from_str(&body).unwrap_or(Value::String(body))
}

async fn event_page(visitor: &Visitor, app_key: &str, id: &str, status: u16) -> Value {
    call(
        visitor,
        "get_event",
        &[("app_key", app_key), ("id", id)],
        status,
    )
    .await
}

async fn event_id(app: &TestApp, batch: &str, kind: &str) -> String {
    let id: i64 = sqlx::query_scalar("SELECT id FROM events WHERE batch_id = $1 AND kind = $2")
        .bind(batch)
        .bind(kind)
        .fetch_one(&app.pool)
        .await
        .expect("the event");
    id.to_string()
}

async fn states(app: &TestApp, state: &str) -> i64 {
    app.count(&format!("events WHERE forward_state = '{state}'"))
        .await
}

#[sqlx::test(migrations = false)]
async fn an_events_page_tells_its_whole_story(_: PgPoolOptions, db: PgConnectOptions) {
    let sim = moengage_simulator(&[], 500).await;
    let app = TestApp::spawn_forwarding(db, settings(&sim, "1s")).await;
    let acme = app.tenant("ACME01", true).await;
    app.tenant("BETA02", true).await;
    let at = |s| format!("2026-11-27T10:00:{s:02}Z");
    let to = "+447700900123";
    post(
        &app,
        &acme,
        &report("B1", to, "Dispatched", 401, &at(0), "42"),
    )
    .await;
    post(&app, &acme, &report("B1", to, "Delivered", 0, &at(4), "42")).await;
    eventually("both events are forwarded", || async {
        states(&app, "forwarded").await == 2
    })
    .await;
    let id = event_id(&app, "B1", "delivered").await;
    let support = app.signed_in(Role::Support, &[]).await;

    let detail = event_page(&support, "ACME01", &id, 200).await;
    assert_eq!(detail["event"]["uid"], "42");
    assert_eq!(detail["event"]["phone"], to, "support sees full numbers");
    assert_eq!(detail["event"]["forward_state"], "forwarded");
    let steps: Vec<(&str, &str)> = detail["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .map(|s| {
            (
                s["status"].as_str().expect("status"),
                s["gap"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(steps, [("Dispatched", "-"), ("Delivered", "+4 s")]);
    let raw: Value =
        serde_json::from_str(detail["report"]["body"]["Ok"].as_str().expect("the body"))
            .expect("the report is JSON");
    assert_eq!(raw["status"], "Delivered");
    assert_eq!(detail["report"]["client_reference"], "$uid=42$cat=otp");
    let request: Value =
        serde_json::from_str(detail["request"]["body"].as_str().expect("the request"))
            .expect("the request is JSON");
    assert_eq!(request["customer_id"], "42");
    assert_eq!(request["actions"][0]["action"], "SMS Delivered");
    assert_eq!(request["actions"][0]["attributes"]["cat"], "otp");
    // Where the worker actually sent it: the simulator here, not the data center's host.
    assert_eq!(
        detail["request"]["url"],
        format!("http://{}/v1/event/ACME01", sim.address)
    );
    let attempts = detail["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["http_status"], 200);
    assert_eq!(attempts[0]["outcome"], "forwarded");

    // A viewer sees the report's numbers masked; another tenant's event does not exist.
    let viewer = app.signed_in(Role::Viewer, &["ACME01"]).await;
    let masked = event_page(&viewer, "ACME01", &id, 200).await;
    let body = masked["report"]["body"]["Ok"].as_str().expect("the body");
    assert!(!body.contains("+447700900123") && !body.contains("447700900123"));
    assert!(!masked["request"]["body"]
        .as_str()
        .expect("the request")
        .contains("447700900123"));
    assert_eq!(masked["may_replay"], false);
    event_page(&viewer, "BETA02", &id, 404).await;
    event_page(&support, "BETA02", &id, 404).await;
    call(
        &viewer,
        "replay_event",
        &[("app_key", "ACME01"), ("id", &id)],
        403,
    )
    .await;
}

#[sqlx::test(migrations = false)]
async fn once_its_day_of_raw_reports_is_dropped_an_event_says_the_report_expired(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let to = "+447700900123";
    let old = report("OLD", to, "Delivered", 0, "2026-11-01T10:00:00Z", "42");
    post(&app, &acme, &old).await;
    post(
        &app,
        &acme,
        &report("NEW", to, "Delivered", 0, "2026-12-01T10:00:00Z", "43"),
    )
    .await;
    // The OLD report arrived 20 days ago: its raw body moves to that day's partition.
    let twenty_days_ago = chrono::Utc::now() - chrono::Duration::days(20);
    store::partitions::prepare_days(&app.pool, twenty_days_ago)
        .await
        .expect("the old days exist");
    app.execute(
        "WITH old AS (
             UPDATE reports SET received_at = received_at - interval '20 days',
                                received_on = received_on - 20
             WHERE id = (SELECT report_id FROM events WHERE batch_id = 'OLD')
             RETURNING id)
         UPDATE raw_reports SET received_at = received_at - interval '20 days'
         WHERE report_id IN (SELECT id FROM old)",
    )
    .await;

    let dropped = store::partitions::drop_days_before(
        &app.pool,
        &[store::partitions::DailyTable::RawReports],
        chrono::Utc::now() - chrono::Duration::days(14),
    )
    .await
    .expect("drops");
    assert!(
        dropped >= 6,
        "the days from 20 to 14 days ago go: {dropped}"
    );
    assert_eq!(
        app.count("raw_reports").await,
        1,
        "the new report's body stays"
    );

    let support = app.signed_in(Role::Support, &[]).await;
    let page = |batch: &'static str| {
        let support = &support;
        let app = &app;
        async move {
            let id = event_id(app, batch, "delivered").await;
            event_page(support, "ACME01", &id, 200).await
        }
    };
    let expired = page("OLD").await;
    assert_eq!(
        expired["event"]["uid"], "42",
        "the event itself is all there"
    );
    let why = expired["report"]["body"]["Err"]
        .as_str()
        .expect("an explanation");
    assert!(why.contains("expired"), "{why}");
    assert_eq!(
        expired["report"]["client_reference"],
        Value::Null,
        "the client_reference is read from the raw body, and went with it"
    );
    let kept = page("NEW").await;
    assert!(kept["report"]["body"]["Ok"]
        .as_str()
        .is_some_and(|body| body.contains("\"NEW\"")));
    assert_eq!(kept["report"]["client_reference"], "$uid=43$cat=otp");
}

/// Three of ACME's events die of MoEngage's 400, one by one.
async fn three_dead_letters(app: &TestApp, sim: &Running) -> TestTenant {
    sim.simulator.set_faults(Faults {
        fail_next: 1000,
        error_status: Some(400),
        ..Faults::default()
    });
    let acme = app.tenant("ACME01", true).await;
    for (batch, uid) in [("D1", "7"), ("D2", "8"), ("D3", "9")] {
        let body = report(
            batch,
            "+46701234567",
            "Delivered",
            0,
            "2026-11-27T10:00:00Z",
            uid,
        );
        post(app, &acme, &body).await;
    }
    eventually("three dead letters", || async {
        states(app, "dead").await == 3
    })
    .await;
    sim.simulator.set_faults(Faults::default());
    acme
}

#[sqlx::test(migrations = false)]
async fn dead_letters_are_grouped_replayed_with_progress_and_discarded_with_a_reason(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let sim = moengage_simulator(&[], 500).await;
    let app = TestApp::spawn_forwarding(db, settings(&sim, "1s")).await;
    three_dead_letters(&app, &sim).await;
    let support = app.signed_in(Role::Support, &[]).await;

    let letters = call(&support, "dead_letter_groups", &[], 200).await;
    let groups = letters["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 1, "{letters}");
    assert_eq!(groups[0]["app_key"], "ACME01");
    assert_eq!(groups[0]["count"], 3);
    let reason = groups[0]["reason"].as_str().expect("a reason").to_owned();
    assert!(reason.starts_with("HTTP 400"), "{reason}");
    assert_eq!(letters["may_act"], true);
    let in_group = call(
        &support,
        "dead_letters_in_group",
        &[("app_key", "ACME01"), ("reason", &reason)],
        200,
    )
    .await;
    let batches: Vec<&str> = in_group
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["batch_id"].as_str().expect("batch"))
        .collect();
    assert_eq!(batches, ["D3", "D2", "D1"], "newest first");

    // Replay the one chosen; its progress ends forwarded.
    let chosen = event_id(&app, "D2", "delivered").await;
    let started = call(
        &support,
        "replay_dead_letters",
        &[("app_key", "ACME01"), ("reason", ""), ("ids", &chosen)],
        200,
    )
    .await;
    assert_eq!(started["queued"], 1);
    let mark = started["mark"].as_str().expect("a mark").to_owned();
    let progress = || async {
        call(
            &support,
            "replay_progress",
            &[("app_key", "ACME01"), ("mark", &mark)],
            200,
        )
        .await
    };
    eventually("the replay finishes", || async {
        progress().await["waiting"] == 0
    })
    .await;
    let done = progress().await;
    assert_eq!(
        (done["forwarded"].as_i64(), done["failed"].as_i64()),
        (Some(1), Some(0))
    );
    // Its page keeps both attempts: the refusal, then the replay's success.
    let detail = event_page(&support, "ACME01", &chosen, 200).await;
    let outcomes: Vec<(i64, &str)> = detail["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| {
            (
                a["http_status"].as_i64().expect("a status"),
                a["outcome"].as_str().expect("an outcome"),
            )
        })
        .collect();
    assert_eq!(outcomes, [(400, "dead"), (200, "forwarded")]);
    let letters = call(&support, "dead_letter_groups", &[], 200).await;
    assert_eq!(letters["groups"][0]["count"], 2);

    // Discarding asks why, then keeps the reason and audits it.
    call(
        &support,
        "discard_dead_letters",
        &[
            ("app_key", "ACME01"),
            ("reason", &reason),
            ("ids", ""),
            ("note", "  "),
        ],
        422,
    )
    .await;
    let discarded = call(
        &support,
        "discard_dead_letters",
        &[
            ("app_key", "ACME01"),
            ("reason", &reason),
            ("ids", ""),
            ("note", "test users, never real"),
        ],
        200,
    )
    .await;
    assert_eq!(discarded, 2);
    let letters = call(&support, "dead_letter_groups", &[], 200).await;
    assert_eq!(letters["groups"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        app.count(
            "events WHERE forward_state = 'discarded' AND discard_reason = 'test users, never real'"
        )
        .await,
        2
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'dead_letters_discarded'")
            .await,
        1
    );
    assert_eq!(sim.simulator.received().len(), 1, "only the replayed one");

    // A viewer sees the groups but may not act on them.
    let viewer = app.signed_in(Role::Viewer, &["ACME01"]).await;
    let theirs = call(&viewer, "dead_letter_groups", &[], 200).await;
    assert_eq!(theirs["may_act"], false);
    call(
        &viewer,
        "replay_dead_letters",
        &[("app_key", "ACME01"), ("reason", ""), ("ids", "")],
        403,
    )
    .await;
}

#[sqlx::test(migrations = false)]
async fn replaying_all_of_a_tenants_dead_letters_sends_each_once(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let sim = moengage_simulator(&[], 500).await;
    let app = TestApp::spawn_forwarding(db, settings(&sim, "1s")).await;
    three_dead_letters(&app, &sim).await;
    let support = app.signed_in(Role::Support, &[]).await;

    let started = call(
        &support,
        "replay_dead_letters",
        &[("app_key", "ACME01"), ("reason", ""), ("ids", "")],
        200,
    )
    .await;
    assert_eq!(started["queued"], 3);
    eventually("all three are forwarded", || async {
        states(&app, "forwarded").await == 3
    })
    .await;
    assert_eq!(sim.simulator.received().len(), 3);
    // Ids that are not numbers are refused, not ignored.
    call(
        &support,
        "replay_dead_letters",
        &[("app_key", "ACME01"), ("reason", ""), ("ids", "1,two")],
        422,
    )
    .await;
}

#[sqlx::test(migrations = false)]
async fn a_categorys_delivery_rate_and_time_to_deliver_are_charted_by_hour(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let at = |s| format!("2026-11-27T10:00:{s:02}Z");
    // Three delivered after 4, 7 and 10 s, one failed: 3 of 4 delivered, p50 7 s.
    for (batch, status, code, after) in [
        ("T1", "Delivered", 0, 4),
        ("T2", "Delivered", 0, 7),
        ("T3", "Delivered", 0, 10),
        ("T4", "Failed", 404, 6),
    ] {
        let to = "+447700900001";
        post(
            &app,
            &acme,
            &report(batch, to, "Dispatched", 401, &at(0), "42"),
        )
        .await;
        post(
            &app,
            &acme,
            &report(batch, to, status, code, &at(after), "42"),
        )
        .await;
    }
    let support = app.signed_in(Role::Support, &[]).await;

    let charts = || async { call(&support, "tenant_charts", &[("app_key", "ACME01")], 200).await };
    // The hour the reports arrived in (the last, unless the clock just struck), once all
    // four outcomes are counted.
    let measured = |charts: &Value| {
        charts["trends"][0]["points"]
            .as_array()
            .and_then(|points| points.iter().rev().find(|p| p["p50_ms"].is_number()))
            .filter(|p| p["rate_permille"] == 750)
            .cloned()
    };
    eventually("the hour is rolled up", || async {
        measured(&charts().await).is_some()
    })
    .await;
    let charts = charts().await;
    let last = measured(&charts).expect("a measured hour");
    // Times are kept in buckets 9% wide, read back from the middle of theirs.
    let about = |ms: i64, expected: i64| (ms - expected).abs() * 100 <= expected * 5;
    let p50 = last["p50_ms"].as_i64().expect("p50");
    let p95 = last["p95_ms"].as_i64().expect("p95");
    assert!(about(p50, 7000), "p50 {p50} is not about 7 s: {last}");
    assert!(about(p95, 10_000), "p95 {p95} is not about 10 s: {last}");
    assert_eq!(charts["trends"][0]["category"], "otp");
    assert_eq!(
        charts["trends"][0]["points"].as_array().map(Vec::len),
        Some(168)
    );
}
