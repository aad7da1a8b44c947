//! Forwarding to MoEngage, against the MoEngage simulator: what arrives on the user's
//! profile, and what happens on each kind of failure.

use std::collections::HashSet;
use std::time::Duration;

use server::sim::moengage::{Faults, Received, Running};
use server::workers::forwarding::ForwardingSettings;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{eventually, moengage_simulator, TestApp, TestTenant};

/// The Data API key `TestApp::tenant` registers.
const API_KEY: &str = "moe-test-key-1234";

pub(crate) fn settings(sim: &Running, schedule: &str) -> ForwardingSettings {
    ForwardingSettings {
        base_url: Some(sim.base_url()),
        schedule: schedule.parse().expect("a valid schedule"),
        timeout: Duration::from_secs(2),
        poll: Duration::from_millis(20),
        ..ForwardingSettings::default()
    }
}

pub(crate) fn recipient_report(batch: &str, to: &str, status: &str, uid: &str) -> String {
    serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": batch, "recipient": to,
        "code": 0, "status": status, "at": "2026-11-27T10:00:00Z",
        "client_reference": format!("$uid={uid}$cat=otp$order=A-17"), "operator": "24001"
    })
    .to_string()
}

fn full_batch_report(batch: &str, recipients: &[String], uid: &str) -> String {
    serde_json::json!({
        "type": "delivery_report_sms", "batch_id": batch, "client_reference": format!("$uid={uid}"),
        "statuses": [{ "code": 0, "status": "Delivered", "count": recipients.len(),
                       "recipients": recipients }]
    })
    .to_string()
}

/// ACME01 forwarding to a MoEngage simulator that misbehaves as `faults` say, retrying
/// on `schedule`: the arrangement of every test of a fault.
pub(crate) async fn misbehaving_moengage(
    db: PgConnectOptions,
    faults: Faults,
    schedule: &str,
) -> (Running, TestApp, TestTenant) {
    let sim = moengage_simulator(&[], 500).await;
    sim.simulator.set_faults(faults);
    let app = TestApp::spawn_forwarding(db, settings(&sim, schedule)).await;
    let acme = app.tenant("ACME01", true).await;
    (sim, app, acme)
}

async fn post(app: &TestApp, tenant: &TestTenant, body: &str) {
    let response = app.post_report(tenant, body).await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
}

async fn received_count(sim: &Running, count: usize) -> Vec<Received> {
    eventually(&format!("MoEngage receives {count} actions"), || async {
        sim.simulator.received().len() >= count
    })
    .await;
    sim.simulator.received()
}

async fn event_state(app: &TestApp) -> (String, i32, Option<String>) {
    sqlx::query_as("SELECT forward_state, attempts, last_error FROM events ORDER BY id LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .expect("an event")
}

async fn wait_for_state(app: &TestApp, state: &str) {
    eventually(&format!("the event is {state}"), || async {
        event_state(app).await.0 == state
    })
    .await;
}

#[sqlx::test(migrations = false)]
async fn events_reach_the_users_profile_with_their_attributes(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let sim = moengage_simulator(&[&format!("ACME01:{API_KEY}")], 500).await;
    let app = TestApp::spawn_forwarding(db, settings(&sim, "1s")).await;
    let acme = app.tenant("ACME01", true).await;

    post(
        &app,
        &acme,
        &recipient_report("B1", "+46701234567", "Dispatched", "7"),
    )
    .await;
    post(
        &app,
        &acme,
        &recipient_report("B1", "+46701234567", "Delivered", "7"),
    )
    .await;
    post(
        &app,
        &acme,
        &recipient_report("B2", "+46701234568", "Failed", "8"),
    )
    .await;

    let received = received_count(&sim, 3).await;
    let mut seen: Vec<_> = received
        .iter()
        .map(|r| (r.customer_id.as_str(), r.action.as_str()))
        .collect();
    seen.sort_unstable();
    assert_eq!(
        seen,
        [
            ("7", "SMS Delivered"),
            ("7", "SMS Sent"),
            ("8", "SMS Delivery Failed")
        ]
    );
    let delivered = received
        .iter()
        .find(|r| r.action == "SMS Delivered")
        .expect("delivered");
    assert_eq!(delivered.workspace, "ACME01");
    assert_eq!(delivered.attributes["batch_id"], "B1");
    assert_eq!(delivered.attributes["cat"], "otp");
    assert_eq!(delivered.attributes["order"], "A-17");
    assert_eq!(delivered.attributes["operator"], "24001");
    assert_eq!(delivered.attributes["sinch_status"], "Delivered");
    let recipient = delivered.attributes["recipient"]
        .as_str()
        .expect("a recipient");
    assert!(!recipient.contains("701234567"), "masked: {recipient}");
    assert_eq!(delivered.time, 1_795_773_600, "Sinch's time of the status");

    eventually("every event is marked forwarded", || async {
        app.count("events WHERE forward_state = 'forwarded' AND forwarded_at IS NOT NULL")
            .await
            == 3
    })
    .await;
    assert_eq!(
        app.count("events WHERE forward_http_status = 200 AND forward_latency_ms >= 0")
            .await,
        3,
        "each event keeps MoEngage's answer"
    );
    assert_eq!(
        app.count("forward_attempts").await,
        0,
        "a first attempt that forwards needs no row of its own"
    );
    let metrics = app.metrics().await.text().await.expect("a body");
    assert!(
        metrics.contains(r#"dlrhub_events_forwarded_total{tenant="ACME01"} 3"#),
        "{metrics}"
    );
    let requests = sim
        .simulator
        .received()
        .iter()
        .map(|r| r.request)
        .collect::<HashSet<_>>()
        .len();
    assert!(
        metrics.contains(&format!("dlrhub_forward_duration_seconds_count {requests}")),
        "one latency per request to MoEngage: {metrics}"
    );
}

#[sqlx::test(migrations = false)]
async fn one_customers_events_travel_together_in_one_request(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let sim = moengage_simulator(&[], 500).await;
    let app = TestApp::spawn_forwarding(db, settings(&sim, "1s")).await;
    let acme = app.tenant("ACME01", true).await;
    let recipients: Vec<String> = (0..5).map(|i| format!("+4670123450{i}")).collect();

    post(&app, &acme, &full_batch_report("B9", &recipients, "42")).await;

    let received = received_count(&sim, 5).await;
    let requests: HashSet<u64> = received.iter().map(|r| r.request).collect();
    assert_eq!(requests.len(), 1, "five actions, one request: {received:?}");
    assert!(received.iter().all(|r| !r.bulk), "through /v1/event");
    assert!(received.iter().all(|r| r.customer_id == "42"));
}

#[sqlx::test(migrations = false)]
async fn server_errors_are_retried_until_moengage_accepts(_: PgPoolOptions, db: PgConnectOptions) {
    let (sim, app, acme) = misbehaving_moengage(
        db,
        Faults {
            fail_next: 2,
            error_status: Some(503),
            ..Faults::default()
        },
        "1s,1s,1s",
    )
    .await;

    post(
        &app,
        &acme,
        &recipient_report("B1", "+46701234567", "Delivered", "7"),
    )
    .await;

    wait_for_state(&app, "forwarded").await;
    // As the event page lists them: the two failures, then the success.
    let event: i64 = sqlx::query_scalar("SELECT id FROM events")
        .fetch_one(&app.pool)
        .await
        .expect("one event");
    let detail = store::events::detail(&app.pool, app.tenant_id("ACME01").await, event)
        .await
        .expect("reads")
        .expect("the event");
    let outcomes: Vec<(Option<i16>, String)> = detail
        .attempts
        .into_iter()
        .map(|a| (a.http_status, a.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            (Some(503), "retry".to_owned()),
            (Some(503), "retry".to_owned()),
            (Some(200), "forwarded".to_owned())
        ]
    );
    assert_eq!(sim.simulator.received().len(), 1);
}

#[sqlx::test(migrations = false)]
async fn a_refused_request_becomes_a_dead_letter_with_moengages_reason_and_can_be_replayed(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let (sim, app, acme) = misbehaving_moengage(
        db,
        Faults {
            fail_next: 1,
            error_status: Some(400),
            ..Faults::default()
        },
        "1s",
    )
    .await;

    post(
        &app,
        &acme,
        &recipient_report("B1", "+46701234567", "Delivered", "7"),
    )
    .await;

    wait_for_state(&app, "dead").await;
    let (_, attempts, error) = event_state(&app).await;
    assert_eq!(attempts, 1, "a 400 is not retried");
    let error = error.expect("a reason");
    assert!(error.starts_with("HTTP 400"), "{error}");
    assert!(
        error.contains("simulated failure"),
        "MoEngage's body: {error}"
    );
    assert!(sim.simulator.received().is_empty());

    let replayed = crate::binary::dlrhub()
        .args(["events", "replay", "--tenant", "ACME01"])
        .env("DATABASE_URL", crate::binary::database_url(&app.db))
        .output()
        .expect("dlrhub runs");
    let said = String::from_utf8_lossy(&replayed.stdout);
    assert!(replayed.status.success(), "{said}");
    assert!(said.contains("1 event(s) of ACME01 queued"), "{said}");
    wait_for_state(&app, "forwarded").await;
    assert_eq!(sim.simulator.received().len(), 1);
}

#[sqlx::test(migrations = false)]
async fn an_exhausted_retry_schedule_ends_in_a_dead_letter(_: PgPoolOptions, db: PgConnectOptions) {
    let (_sim, app, acme) = misbehaving_moengage(
        db,
        Faults {
            outage: true,
            ..Faults::default()
        },
        "1s",
    )
    .await;

    post(
        &app,
        &acme,
        &recipient_report("B1", "+46701234567", "Delivered", "7"),
    )
    .await;

    wait_for_state(&app, "dead").await;
    let (_, attempts, error) = event_state(&app).await;
    assert_eq!(attempts, 2, "the first try and one retry");
    let error = error.expect("a reason");
    assert!(error.contains("gave up after 2 attempts"), "{error}");
    assert!(error.contains("HTTP 503"), "{error}");
}

#[sqlx::test(migrations = false)]
async fn refused_credentials_pause_the_tenant_until_its_key_is_replaced(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let sim = moengage_simulator(&["ACME01:the-right-key"], 500).await;
    let app = TestApp::spawn_forwarding(db, settings(&sim, "1s")).await;
    let acme = app.tenant("ACME01", true).await;

    post(
        &app,
        &acme,
        &recipient_report("B1", "+46701234567", "Delivered", "7"),
    )
    .await;

    eventually("the tenant's forwarding is paused", || async {
        app.count("tenants WHERE forwarding_paused_at IS NOT NULL")
            .await
            == 1
    })
    .await;
    let (state, attempts, error) = event_state(&app).await;
    assert_eq!(state, "pending", "the event waits; it is not dead");
    assert_eq!(attempts, 0, "a pause uses up no retries");
    assert!(error.is_some_and(|e| e.starts_with("HTTP 401")));
    assert_eq!(
        app.count("forward_attempts WHERE http_status = 401 AND outcome = 'paused'")
            .await,
        1
    );
    let shown = crate::binary::dlrhub()
        .args(["tenant", "show", "ACME01"])
        .env("DATABASE_URL", crate::binary::database_url(&app.db))
        .env("DLRHUB_MASTER_KEY", crate::binary::KEY)
        .output()
        .expect("dlrhub runs");
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains("PAUSED (MoEngage refused"),
        "the operator sees why: {shown}"
    );
    // Paused: nothing more is tried while the key is wrong.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.count("forward_attempts").await, 1);

    let app_key = domain::AppKey::parse("ACME01").expect("valid");
    store::tenants::set_moengage_api_key(&app.pool, &app.cipher, &app_key, "the-right-key")
        .await
        .expect("replaces the key");
    wait_for_state(&app, "forwarded").await;
    assert_eq!(
        app.count("tenants WHERE forwarding_paused_at IS NULL")
            .await,
        1
    );
    assert_eq!(sim.simulator.received().len(), 1);
}

#[sqlx::test(migrations = false)]
async fn a_tenants_rate_limit_keeps_it_under_moengages(_: PgPoolOptions, db: PgConnectOptions) {
    // MoEngage (simulated) takes 5 events a second from the workspace; the tenant is set to 4.
    let sim = moengage_simulator(&[], 5).await;
    let app = TestApp::spawn_forwarding(db, settings(&sim, "1s,1s,1s")).await;
    let acme = app.tenant("ACME01", true).await;
    app.execute("UPDATE tenants SET forward_rate_per_s = 4")
        .await;
    let recipients: Vec<String> = (0..12).map(|i| format!("+467012345{i:02}")).collect();

    post(&app, &acme, &full_batch_report("B9", &recipients, "42")).await;

    received_count(&sim, 12).await;
    assert_eq!(
        app.count("forward_attempts WHERE http_status = 429").await,
        0,
        "dlrhub never went over MoEngage's limit"
    );
    let requests: HashSet<u64> = sim.simulator.received().iter().map(|r| r.request).collect();
    assert!(requests.len() >= 3, "12 events at 4 a second: {requests:?}");
}

#[sqlx::test(migrations = false)]
async fn a_rate_limited_request_is_retried(_: PgPoolOptions, db: PgConnectOptions) {
    let (_sim, app, acme) = misbehaving_moengage(
        db,
        Faults {
            fail_next: 1,
            error_status: Some(429),
            ..Faults::default()
        },
        "1s",
    )
    .await;

    post(
        &app,
        &acme,
        &recipient_report("B1", "+46701234567", "Delivered", "7"),
    )
    .await;

    wait_for_state(&app, "forwarded").await;
    assert_eq!(
        app.count("forward_attempts WHERE http_status = 429").await,
        1
    );
}

#[sqlx::test(migrations = false)]
async fn two_worker_pools_on_one_database_send_each_event_once(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let sim = moengage_simulator(&[], 10_000).await;
    let first = TestApp::spawn_forwarding(db.clone(), settings(&sim, "1s")).await;
    let second = TestApp::spawn_forwarding(db, settings(&sim, "1s")).await;
    let acme = first.tenant("ACME01", true).await;

    for i in 0..60 {
        let report = recipient_report(
            &format!("B{i}"),
            "+46701234567",
            "Delivered",
            &format!("u{}", i % 7),
        );
        let app = if i % 2 == 0 { &first } else { &second };
        post(app, &acme, &report).await;
    }

    eventually("all 60 events are forwarded", || async {
        first
            .count("events WHERE forward_state = 'forwarded'")
            .await
            == 60
    })
    .await;
    let received = sim.simulator.received();
    assert_eq!(forwarded_event_ids(&received).len(), 60);
    assert_eq!(received.len(), 60, "no event was sent twice");
}

#[sqlx::test(migrations = false)]
async fn a_workers_only_process_forwards_what_an_api_process_took_in(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let sim = moengage_simulator(&[], 500).await;
    let api = TestApp::spawn(db.clone()).await;
    let workers = TestApp::spawn_workers_only(db, settings(&sim, "1s")).await;
    let acme = api.tenant("ACME01", true).await;

    post(
        &api,
        &acme,
        &recipient_report("B1", "+46701234567", "Delivered", "7"),
    )
    .await;
    received_count(&sim, 1).await;
    wait_for_state(&api, "forwarded").await;

    // It has no webhook (so no writers to take reports in) and no console.
    let refused = workers
        .post_report(
            &acme,
            &recipient_report("B2", "+46701234567", "Delivered", "7"),
        )
        .await;
    assert_eq!(refused.status(), reqwest::StatusCode::NOT_FOUND);
    assert_eq!(
        workers.visitor().get("/login").await.status(),
        reqwest::StatusCode::NOT_FOUND
    );
    assert_eq!(
        workers.get("/healthz").await.status(),
        reqwest::StatusCode::OK
    );
    assert_eq!(workers.metrics().await.status(), reqwest::StatusCode::OK);
    assert_eq!(
        api.count("reports").await,
        1,
        "the refused report was not stored"
    );
}

/// Runs the real `dlrhub serve` with forwarding to the simulator.
fn serve_forwarding(db: &PgConnectOptions, sim: &Running) -> std::process::Child {
    use crate::binary::{database_url, dlrhub, KEY};
    dlrhub()
        .args(["serve"])
        .env("DATABASE_URL", database_url(db))
        .env("DLRHUB_MASTER_KEY", KEY)
        .env("DLRHUB_LISTEN_ADDR", "127.0.0.1:0")
        .env("DLRHUB_LOG_FORMAT", "json")
        .env("DLRHUB_MOENGAGE_BASE_URL", sim.base_url().as_str())
        .env("DLRHUB_FORWARD_LEASE_SECS", "2")
        .env("DLRHUB_FORWARD_TENANT_LEASE_SECS", "2")
        .env("DLRHUB_FORWARD_RETRY_SCHEDULE", "1s")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("dlrhub starts")
}

/// `events` reports posted, then a real `dlrhub serve` started that claims them all while
/// MoEngage takes `latency_ms` to answer: its requests are in flight when this returns.
async fn claimed_by_a_slow_worker(
    db: &PgConnectOptions,
    sim: &Running,
    latency_ms: u64,
    events: usize,
) -> (TestApp, std::process::Child) {
    sim.simulator.set_faults(Faults {
        latency_ms,
        ..Faults::default()
    });
    let app = TestApp::spawn(db.clone()).await;
    let acme = app.tenant("ACME01", true).await;
    for i in 0..events {
        let report = recipient_report(&format!("B{i}"), "+46701234567", "Delivered", "7");
        post(&app, &acme, &report).await;
    }
    let mut worker = serve_forwarding(db, sim);
    crate::binary::wait_for_listening_address(&mut worker);
    // Claimed is not yet sent: a worker stopped in between releases its claims instead.
    // The events are one customer's, claimed together, so they travel in one request.
    eventually("the worker's request is in flight", || async {
        app.count("events WHERE claimed_by IS NOT NULL").await == events as i64
            && sim.simulator.arrived() >= 1
    })
    .await;
    (app, worker)
}

/// The events MoEngage received, by dlrhub's event id.
fn forwarded_event_ids(received: &[Received]) -> HashSet<i64> {
    received
        .iter()
        .map(|r| r.attributes["dlrhub_event_id"].as_i64().expect("an id"))
        .collect()
}

#[sqlx::test(migrations = false)]
async fn a_worker_killed_in_the_middle_of_a_request_loses_nothing(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let sim = moengage_simulator(&[], 500).await;
    let (app, mut worker) = claimed_by_a_slow_worker(&db, &sim, 1500, 5).await;

    worker.kill().expect("kills the worker");
    worker.wait().expect("the worker exits");
    assert_eq!(
        app.count("events WHERE forward_state = 'forwarded'").await,
        0,
        "killed before MoEngage answered"
    );

    sim.simulator.set_faults(Faults::default());
    let mut restarted = serve_forwarding(&db, &sim);
    crate::binary::wait_for_listening_address(&mut restarted);
    eventually("every event is forwarded after the lease ends", || async {
        app.count("events WHERE forward_state = 'forwarded'").await == 5
    })
    .await;
    let _ = restarted.kill();
    let _ = restarted.wait();
    let ids = forwarded_event_ids(&sim.simulator.received());
    assert_eq!(ids.len(), 5, "every event reached MoEngage at least once");
}

#[sqlx::test(migrations = false)]
async fn a_tenant_in_bulk_mode_is_forwarded_through_the_bulk_api(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let sim = moengage_simulator(&[], 500).await;
    let app = TestApp::spawn_forwarding(db, settings(&sim, "1s")).await;
    let acme = app.tenant("ACME01", true).await;
    app.execute("UPDATE tenants SET forward_bulk = true").await;

    post(
        &app,
        &acme,
        &recipient_report("B1", "+46701234567", "Delivered", "7"),
    )
    .await;
    post(
        &app,
        &acme,
        &recipient_report("B2", "+46701234568", "Failed", "8"),
    )
    .await;

    let received = received_count(&sim, 2).await;
    let customers: HashSet<&str> = received.iter().map(|r| r.customer_id.as_str()).collect();
    assert_eq!(customers, HashSet::from(["7", "8"]));
    assert!(received.iter().all(|r| r.bulk), "through /v1/transition");
    eventually("both events are marked forwarded", || async {
        app.count("events WHERE forward_state = 'forwarded'").await == 2
    })
    .await;
}

#[sqlx::test(migrations = false)]
async fn a_stopping_worker_finishes_the_requests_it_has_in_flight(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let sim = moengage_simulator(&[], 500).await;
    let (app, mut worker) = claimed_by_a_slow_worker(&db, &sim, 1000, 3).await;

    crate::binary::terminate(&worker);
    // Waits without blocking this runtime: the simulator answering the worker runs on it.
    let status = tokio::task::spawn_blocking(move || {
        crate::binary::wait_for_exit(&mut worker, Duration::from_secs(10))
    })
    .await
    .expect("waits for the worker");

    assert!(status.success(), "{status}");
    assert_eq!(
        app.count("events WHERE forward_state = 'forwarded' AND claimed_by IS NULL")
            .await,
        3,
        "the requests in flight were answered and recorded before the exit"
    );
    assert_eq!(sim.simulator.received().len(), 3);
}
