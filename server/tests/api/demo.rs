//! "Try it with simulated traffic": only against the MoEngage simulator, a demo workspace
//! of its own with real reports, a rejected call and a dead letter; removable in one call.

use domain::access::Role;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::forwarding::settings;
use crate::helpers::{eventually, moengage_simulator, TestApp, Visitor};

async fn call(visitor: &Visitor, endpoint: &str, args: &[(&str, &str)]) -> Value {
    answer(visitor, endpoint, args, StatusCode::OK).await
}

async fn answer(
    visitor: &Visitor,
    endpoint: &str,
    args: &[(&str, &str)],
    status: StatusCode,
) -> Value {
    let response = visitor.call(endpoint, args).await;
    assert_eq!(response.status(), status, "{endpoint}");
    response.json().await.expect("JSON")
}

async fn count(app: &TestApp, sql: &str, app_key: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(app_key)
        .fetch_one(&app.pool)
        .await
        .expect("a count")
}

#[sqlx::test(migrations = false)]
async fn the_demo_feeds_a_workspace_of_its_own_through_the_simulator(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    // A simulator that knows its workspaces, as the end-to-end suite's does: the demo
    // tells it of its own.
    let sim = moengage_simulator(&["ACME01:moe-test-key-1234"], 500).await;
    let app = TestApp::spawn_forwarding(db, settings(&sim, "1s,2s")).await;
    let admin = app.admin().await;

    assert_eq!(call(&admin, "demo_offer", &[]).await, "Available");
    let started = call(&admin, "start_demo", &[]).await;
    let app_key = started
        .as_str()
        .expect("the demo workspace's id")
        .to_owned();
    assert!(app_key.starts_with("DEMO"), "{app_key}");

    let tenant = call(&admin, "get_tenant", &[("app_key", &app_key)]).await;
    assert_eq!(tenant["demo"], true, "{tenant}");
    assert_eq!(tenant["summary"]["enabled"], true, "{tenant}");
    let again = answer(&admin, "start_demo", &[], StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(
        again["Unavailable"].to_string().contains("running already"),
        "{again}"
    );

    eventually("reports arrive and are forwarded", || async {
        let forwarded = "SELECT count(*) FROM events e JOIN tenants t ON t.id = e.tenant_id
                         WHERE t.app_key = $1 AND e.forward_state = 'forwarded'";
        count(&app, forwarded, &app_key).await >= 5
    })
    .await;
    eventually("the refused request made a dead letter", || async {
        let dead = "SELECT count(*) FROM events e JOIN tenants t ON t.id = e.tenant_id
                    WHERE t.app_key = $1 AND e.forward_state = 'dead'";
        count(&app, dead, &app_key).await >= 1
    })
    .await;
    let received = sim.simulator.received();
    assert!(received.iter().any(|action| action.workspace == app_key));
    assert!(
        received.iter().all(|action| action.workspace == app_key),
        "nothing else was sent"
    );
    eventually("the malformed call is recorded as rejected", || async {
        let malformed =
            "SELECT count(*) FROM malformed_calls m JOIN tenants t ON t.id = m.tenant_id
                         WHERE t.app_key = $1";
        count(&app, malformed, &app_key).await >= 1
    })
    .await;

    // The demo is audited as the admin's, and removed in one call.
    let created = count(
        &app,
        "SELECT count(*) FROM audit_log WHERE target = $1 AND action = 'tenant_created'",
        &app_key,
    )
    .await;
    assert_eq!(created, 1);
    let removed = admin.call("remove_demo", &[("app_key", &app_key)]).await;
    assert!(removed.status().is_success() || removed.status().is_redirection());
    let gone = admin.call("get_tenant", &[("app_key", &app_key)]).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    // Its traffic stopped with it: no calls to a workspace no tenant has (the traffic
    // sends ten a second; three are enough to be recorded, and written within a second).
    tokio::time::sleep(std::time::Duration::from_millis(2_000)).await;
    let refused = count(
        &app,
        "SELECT count(*) FROM refused_calls WHERE app_key = $1",
        &app_key,
    )
    .await;
    assert_eq!(refused, 0, "calls went on after the removal");
}

#[sqlx::test(migrations = false)]
async fn the_demo_is_refused_where_forwarding_goes_elsewhere_and_removes_only_demos(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    // TestApp::spawn forwards to a closed local port: not the simulator.
    let app = TestApp::spawn(db).await;
    app.tenant("ACME01", true).await;
    let admin = app.admin().await;

    let offer = call(&admin, "demo_offer", &[]).await;
    assert!(
        offer["Unavailable"].to_string().contains("simulator"),
        "{offer}"
    );
    let started = answer(&admin, "start_demo", &[], StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(
        started["Unavailable"].to_string().contains("simulator"),
        "{started}"
    );
    assert_eq!(app.count("tenants").await, 1, "nothing was registered");

    let refused = answer(
        &admin,
        "remove_demo",
        &[("app_key", "ACME01")],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        refused["Invalid"].to_string().contains("only a demo"),
        "{refused}"
    );
    let support = app.signed_in(Role::Support, &[]).await;
    let forbidden = support.call("start_demo", &[]).await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN, "admins only");
}
