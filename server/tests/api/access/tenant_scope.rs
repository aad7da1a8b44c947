//! Tenants in the console: a viewer sees only their tenants, anything else is a 404;
//! support and admins register tenants and switch integrations, audited.

use domain::access::Role;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::TestApp;

const REPORT: &str = r#"{"type": "recipient_delivery_report_sms", "batch_id": "B1",
  "recipient": "+4915112345678", "code": 0, "status": "Delivered",
  "at": "2026-11-27T10:00:00Z", "client_reference": "$uid=7"}"#;

#[sqlx::test(migrations = false)]
async fn a_viewer_sees_only_the_tenants_assigned_to_them(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.tenant("ACME01", true).await;
    app.tenant("BETA02", true).await;
    let viewer = app.signed_in(Role::Viewer, &["ACME01"]).await;
    let support = app.signed_in(Role::Support, &[]).await;

    let listed: Value = viewer
        .call("tenants_activity", &[])
        .await
        .json()
        .await
        .expect("JSON");
    let keys: Vec<&str> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|tenant| tenant["app_key"].as_str())
        .collect();
    assert_eq!(keys, ["ACME01"]);
    let all: Value = support
        .call("tenants_activity", &[])
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(all.as_array().map(Vec::len), Some(2));

    let own = viewer.call("get_tenant", &[("app_key", "ACME01")]).await;
    assert_eq!(own.status(), StatusCode::OK);
    let own: Value = own.json().await.expect("JSON");
    assert!(
        own["callback_url"].is_null(),
        "no credentials for viewers: {own}"
    );
    for outside in ["BETA02", "NOSUCH", "not a key!"] {
        let answer = viewer.call("get_tenant", &[("app_key", outside)]).await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{outside}");
    }
    assert_eq!(viewer.get("/tenants/ACME01").await.status(), StatusCode::OK);
    let page = viewer.get("/tenants/BETA02").await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let html = page.text().await.expect("a page");
    assert!(!html.contains("BETA02 (test)"), "nothing of it is shown");
    // An event page answers 404 alike for an event that does not exist and for one of a
    // tenant the viewer may not see.
    for path in ["/events/ACME01/999999999", "/events/BETA02/1"] {
        assert_eq!(
            viewer.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[sqlx::test(migrations = false)]
async fn support_registers_a_tenant_and_hands_out_its_callback_url(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let support = app.signed_in(Role::Support, &[]).await;
    let form = |app_key: &'static str, name: &'static str| {
        [
            ("app_key", app_key),
            ("name", name),
            ("data_center", "DC-02"),
            ("data_api_key", "moe-key-4321"),
        ]
    };

    let bad: Value = support
        .call("register_tenant", &form("has space", " "))
        .await
        .json()
        .await
        .expect("JSON");
    let fields: Vec<&str> = bad["Invalid"]
        .as_array()
        .expect("field errors")
        .iter()
        .filter_map(|error| error[0].as_str())
        .collect();
    assert_eq!(fields, ["app_key", "name"]);

    let done: Value = support
        .call("register_tenant", &form("NEW01", "New shop"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(done, serde_json::json!("NEW01"));
    let again: Value = support
        .call("register_tenant", &form("NEW01", "Again"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(again["Invalid"][0][0], "app_key", "{again}");
    assert_eq!(
        app.count("audit_log WHERE action = 'tenant_created'").await,
        1
    );

    let detail: Value = support
        .call("get_tenant", &[("app_key", "NEW01")])
        .await
        .json()
        .await
        .expect("JSON");
    let url = detail["callback_url"].as_str().expect("a callback URL");
    assert!(url.ends_with("/webhooks/sinch/NEW01"), "{url}");
    assert!(
        !detail.to_string().contains("moe-key-4321"),
        "the key is never shown"
    );
    let viewer = app.signed_in(Role::Viewer, &["NEW01"]).await;
    let refused = viewer.call("register_tenant", &form("NEW02", "Nope")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrations = false)]
async fn enabling_from_the_console_opens_the_webhook_at_once(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let tenant = app.tenant("ACME01", false).await;
    let support = app.signed_in(Role::Support, &[]).await;
    let viewer = app.signed_in(Role::Viewer, &["ACME01"]).await;
    assert_eq!(
        app.post_report(&tenant, REPORT).await.status(),
        StatusCode::FORBIDDEN
    );

    let refused = viewer
        .call(
            "set_integration",
            &[("app_key", "ACME01"), ("enabled", "true")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let enabled = support
        .call(
            "set_integration",
            &[("app_key", "ACME01"), ("enabled", "true")],
        )
        .await;
    assert_eq!(enabled.status(), StatusCode::OK);

    crate::helpers::eventually("the webhook accepts reports", || async {
        app.post_report(&tenant, REPORT).await.status() == StatusCode::OK
    })
    .await;
    let entry: (String, String) = sqlx::query_as(
        "SELECT actor, after::text FROM audit_log WHERE action = 'integration_enabled'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("audited");
    assert_eq!(entry.0, support.email);
    assert!(entry.1.contains("true"), "{}", entry.1);
}
