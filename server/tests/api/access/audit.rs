//! The audit log: who did what, when, from where, with before and after.

use domain::access::Role;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{TestApp, PASSWORD};

async fn entries(admin: &crate::helpers::Visitor, action: &str, who: &str) -> Vec<Value> {
    let response = admin
        .call(
            "list_audit",
            &[
                ("query[action]", action),
                ("query[who]", who),
                ("query[period]", "24h"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.expect("JSON");
    page["rows"].as_array().expect("rows").clone()
}

#[sqlx::test(migrations = false)]
async fn sign_ins_and_failed_sign_ins_are_recorded_with_their_address(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Support, &[]).await;
    let visitor = app.visitor();
    visitor
        .sign_in_from("ana@example.com", "a wrong guess", "203.0.113.9")
        .await;
    visitor
        .sign_in_from("ana@example.com", PASSWORD, "203.0.113.9")
        .await;
    let admin = app.admin().await;

    let failed = entries(&admin, "sign_in_failed", "ana@").await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["actor"], "anonymous");
    assert_eq!(failed[0]["target"], "ana@example.com");
    assert_eq!(failed[0]["source_ip"], "203.0.113.9");
    assert!(failed[0]["after"]
        .as_str()
        .unwrap_or_default()
        .contains("wrong password"));
    let signed_in = entries(&admin, "signed_in", "ana@").await;
    assert_eq!(signed_in.len(), 1, "{signed_in:?}");
    assert_eq!(signed_in[0]["actor"], "ana@example.com");
}

#[sqlx::test(migrations = false)]
async fn a_role_change_records_who_and_the_state_before_and_after(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.tenant("ACME01", true).await;
    app.user("vera@example.com", Role::Viewer, &["ACME01"])
        .await;
    let admin = app.admin().await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'vera@example.com'")
        .fetch_one(&app.pool)
        .await
        .expect("exists");

    admin
        .call(
            "update_user",
            &[("id", &id.to_string()), ("role", "support")],
        )
        .await;

    let changed = entries(&admin, "user_changed", "").await;
    assert_eq!(changed.len(), 1, "{changed:?}");
    let entry = &changed[0];
    assert_eq!(entry["actor"], admin.email.as_str());
    assert_eq!(entry["target"], "vera@example.com");
    let before: Value =
        serde_json::from_str(entry["before"].as_str().expect("before")).expect("JSON");
    let after: Value = serde_json::from_str(entry["after"].as_str().expect("after")).expect("JSON");
    assert_eq!(before["role"], "viewer");
    assert_eq!(before["tenants"], serde_json::json!(["ACME01"]));
    assert_eq!(after["role"], "support");
    assert_eq!(after["tenants"], serde_json::json!([]));
    assert!(
        !entry.to_string().contains("argon2"),
        "no password hash in the log"
    );
}

#[sqlx::test(migrations = false)]
async fn the_audit_log_pages_newest_first_without_gaps(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let admin = app.admin().await;
    app.execute(
        "INSERT INTO audit_log (actor, action, target, at)
         SELECT 'command line', 'tenant_created', 'T' || n, now() - n * interval '1 second'
         FROM generate_series(1, 120) AS n",
    )
    .await;

    let mut seen = Vec::new();
    let mut before = String::new();
    loop {
        let response = admin
            .call(
                "list_audit",
                &[
                    ("query[action]", "tenant_created"),
                    ("query[before]", &before),
                ],
            )
            .await;
        let page: Value = response.json().await.expect("JSON");
        for row in page["rows"].as_array().expect("rows") {
            seen.push(row["target"].as_str().expect("a target").to_owned());
        }
        match page["older"].as_str() {
            Some(cursor) => before = cursor.to_owned(),
            None => break,
        }
    }
    let expected: Vec<String> = (1..=120).map(|n| format!("T{n}")).collect();
    assert_eq!(seen, expected);
}

#[sqlx::test(migrations = false)]
async fn the_audit_page_lists_entries_and_keeps_its_filters_in_the_url(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let admin = app.admin().await;

    let page = admin.get("/audit?action=signed_in&period=24h").await;

    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("a page");
    assert!(
        html.contains(admin.email.as_str()),
        "the admin's own sign-in is listed"
    );
    assert!(
        html.contains(r#"<option value="signed_in" selected"#),
        "{html}"
    );
}
