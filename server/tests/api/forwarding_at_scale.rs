//! Forwarding with several worker processes and with MoEngage failing: the tenant's rate
//! holds across processes, the circuit breaker opens and closes, and one workspace's
//! brownout leaves the others alone.

use std::collections::HashSet;
use std::time::Duration;

use server::sim::moengage::{Faults, Received};
use server::workers::forwarding::ForwardingSettings;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::forwarding::settings;
use crate::helpers::{eventually, moengage_simulator, TestApp, TestTenant};

/// A batch report of `count` recipients, each its own MoEngage user (so each event is a
/// request of its own on /v1/event).
async fn post_batch(app: &TestApp, tenant: &TestTenant, batch: &str, count: usize) {
    let recipients: Vec<String> = (0..count).map(|i| format!("+46701{i:06}")).collect();
    let report = serde_json::json!({
        "type": "delivery_report_sms", "batch_id": batch, "client_reference": "$uid=shared",
        "statuses": [{ "code": 0, "status": "Delivered", "count": count, "recipients": recipients }]
    });
    let response = app.post_report(tenant, &report.to_string()).await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
}

/// Recipient reports with a uid each: one request per event on /v1/event.
async fn post_users(app: &TestApp, tenant: &TestTenant, batch: &str, count: usize) {
    for i in 0..count {
        let report = crate::forwarding::recipient_report(
            batch,
            &format!("+46702{i:06}"),
            "Delivered",
            &format!("{batch}-user-{i}"),
        );
        let response = app.post_report(tenant, &report).await;
        assert_eq!(response.status(), reqwest::StatusCode::OK);
    }
}

/// The most actions of `workspace` MoEngage accepted within any one second.
fn busiest_second(received: &[Received], workspace: &str) -> usize {
    let mut times: Vec<i64> = received
        .iter()
        .filter(|r| r.workspace == workspace)
        .map(|r| r.at_ms)
        .collect();
    times.sort_unstable();
    server::sim::moengage::busiest_second(&times)
}

async fn eventually_within(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[sqlx::test(migrations = false)]
async fn three_worker_pools_keep_a_tenant_within_its_rate_in_every_second(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    // MoEngage would take far more: only dlrhub's own pacing keeps the tenant at 100/s.
    let sim = moengage_simulator(&[], 100_000).await;
    let pools = [
        TestApp::spawn_forwarding(db.clone(), settings(&sim, "1s")).await,
        TestApp::spawn_forwarding(db.clone(), settings(&sim, "1s")).await,
        TestApp::spawn_forwarding(db, settings(&sim, "1s")).await,
    ];
    let acme = pools[0].tenant("ACME01", true).await;
    pools[0]
        .execute("UPDATE tenants SET forward_rate_per_s = 100")
        .await;

    for (i, app) in pools.iter().cycle().take(6).enumerate() {
        post_batch(app, &acme, &format!("B{i}"), 50).await;
    }

    eventually_within(
        "300 events are forwarded",
        Duration::from_secs(15),
        async || {
            pools[0]
                .count("events WHERE forward_state = 'forwarded'")
                .await
                == 300
        },
    )
    .await;
    let received = sim.simulator.received();
    assert_eq!(received.len(), 300, "each event sent once");
    let busiest = busiest_second(&received, "ACME01");
    assert!(
        busiest <= 110,
        "at most 10% over the tenant's 100 events/s in any second, with three pools: {busiest}"
    );
    assert!(
        busiest >= 80,
        "close to the rate, not far below it: {busiest}"
    );
    let holders: i64 = sqlx::query_scalar("SELECT count(DISTINCT claimed_by) FROM events")
        .fetch_one(&pools[0].pool)
        .await
        .expect("counts");
    assert_eq!(holders, 0, "every claim was recorded and let go");
}

#[sqlx::test(migrations = false)]
async fn two_tenants_on_two_pools_each_keep_their_own_rate(_: PgPoolOptions, db: PgConnectOptions) {
    let sim = moengage_simulator(&[], 100_000).await;
    let first = TestApp::spawn_forwarding(db.clone(), settings(&sim, "1s")).await;
    let second = TestApp::spawn_forwarding(db, settings(&sim, "1s")).await;
    let tenants = [
        first.tenant("ACME01", true).await,
        first.tenant("ACME02", true).await,
    ];
    first
        .execute("UPDATE tenants SET forward_rate_per_s = 50")
        .await;

    post_batch(&first, &tenants[0], "A", 100).await;
    post_batch(&second, &tenants[1], "B", 100).await;

    eventually_within("both tenants drain", Duration::from_secs(10), async || {
        first
            .count("events WHERE forward_state = 'forwarded'")
            .await
            == 200
    })
    .await;
    // Whichever process drives each tenant, each keeps to its own 50 events/s.
    for workspace in ["ACME01", "ACME02"] {
        let busiest = busiest_second(&sim.simulator.received(), workspace);
        assert!(busiest <= 55, "{workspace}: {busiest} in one second");
    }
}

fn breaker_settings(sim: &server::sim::moengage::Running) -> ForwardingSettings {
    ForwardingSettings {
        // Enough retries that the outage kills no event, and a lease renewed every second.
        schedule: "1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s"
            .parse()
            .expect("valid"),
        tenant_lease: Duration::from_secs(3),
        ..settings(sim, "1s")
    }
}

#[sqlx::test(migrations = false)]
async fn the_breaker_opens_while_moengage_fails_probes_one_request_at_a_time_and_closes(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let sim = moengage_simulator(&[], 10_000).await;
    sim.simulator.set_faults(Faults {
        outage: true,
        ..Faults::default()
    });
    let app = TestApp::spawn_forwarding(db, breaker_settings(&sim)).await;
    let acme = app.tenant("ACME01", true).await;

    post_users(&app, &acme, "B", 40).await;

    eventually_within(
        "the tenant shows MoEngage failing",
        Duration::from_secs(10),
        async || {
            app.count("forwarding_leases WHERE failing_since IS NOT NULL")
                .await
                == 1
        },
    )
    .await;
    let before = app.count("forward_attempts").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let probes = app.count("forward_attempts").await - before;
    assert!(
        probes <= 3,
        "while open, single probes at growing intervals, not the whole backlog: {probes}"
    );
    let admin = app.admin().await;
    let page = admin
        .get("/tenants/ACME01")
        .await
        .text()
        .await
        .expect("a page");
    assert!(
        page.contains("MoEngage is failing for this workspace since"),
        "the tenant page says so"
    );
    let listed = admin.get("/").await.text().await.expect("a page");
    assert!(
        listed.contains("MoEngage is failing"),
        "the overview lists it"
    );

    sim.simulator.set_faults(Faults::default());
    eventually_within(
        "every event is forwarded once MoEngage answers",
        Duration::from_secs(20),
        async || app.count("events WHERE forward_state = 'forwarded'").await == 40,
    )
    .await;
    eventually_within(
        "the breaker is shown closed",
        Duration::from_secs(5),
        async || {
            app.count("forwarding_leases WHERE failing_since IS NOT NULL")
                .await
                == 0
        },
    )
    .await;
    assert_eq!(app.count("events WHERE forward_state = 'dead'").await, 0);
}

#[sqlx::test(migrations = false)]
async fn one_workspaces_brownout_leaves_the_other_tenants_forwarding(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let sim = moengage_simulator(&[], 10_000).await;
    // SLOW01's requests never get an answer; FAST01's are fine.
    sim.simulator.set_faults(Faults {
        timeout_rate: 1.0,
        workspaces: vec!["SLOW01".to_owned()],
        ..Faults::default()
    });
    let app = TestApp::spawn_forwarding(db, breaker_settings(&sim)).await;
    let slow = app.tenant("SLOW01", true).await;
    let fast = app.tenant("FAST01", true).await;

    post_users(&app, &slow, "S", 60).await;
    post_users(&app, &fast, "F", 60).await;

    eventually("FAST01's events are all forwarded", || async {
        app.count("events e JOIN tenants t ON t.id = e.tenant_id WHERE t.app_key = 'FAST01' AND forward_state = 'forwarded'")
            .await
            == 60
    })
    .await;
    let received = sim.simulator.received();
    let workspaces: HashSet<&str> = received.iter().map(|r| r.workspace.as_str()).collect();
    assert_eq!(workspaces, HashSet::from(["FAST01"]));
    assert_eq!(
        app.count("events e JOIN tenants t ON t.id = e.tenant_id WHERE t.app_key = 'SLOW01' AND forward_state = 'forwarded'")
            .await,
        0
    );
}

#[sqlx::test(migrations = false)]
async fn a_growing_backlog_is_flagged_on_the_overview_and_a_draining_one_is_not(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.tenant("GROW01", true).await;
    app.tenant("CALM01", true).await;
    let (grow, calm) = (app.tenant_id("GROW01").await, app.tenant_id("CALM01").await);
    let sample = |grow_waiting: i64, calm_waiting: i64| {
        let pool = app.pool.clone();
        async move {
            store::forwarding::leases::sample_backlog(
                &pool,
                &[(grow, grow_waiting), (calm, calm_waiting)],
            )
            .await
            .expect("samples");
        }
    };

    sample(1_000, 5_000).await;
    let admin = app.admin().await;
    let overview = admin.get("/").await.text().await.expect("a page");
    assert!(
        !overview.contains("backlog grows"),
        "one sample says nothing yet"
    );

    // Six minutes later (the samples moved back in time), one backlog grew, one drained.
    app.execute(
        "UPDATE forwarding_backlog SET measured_at = measured_at - interval '6 minutes',
                mid_at = mid_at - interval '6 minutes',
                earlier_at = earlier_at - interval '6 minutes'",
    )
    .await;
    sample(3_000, 2_000).await;

    let overview = admin.get("/").await.text().await.expect("a page");
    assert!(
        overview.contains("the forwarding backlog grows: 3000 waiting"),
        "GROW01 needs attention"
    );
    assert!(
        !overview.contains("2000 waiting"),
        "CALM01, whose backlog shrank, does not"
    );
    let page = admin
        .get("/tenants/GROW01")
        .await
        .text()
        .await
        .expect("a page");
    assert!(
        page.contains("backlog growing"),
        "the tenant page says so too"
    );
}
