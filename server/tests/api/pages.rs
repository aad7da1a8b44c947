use reqwest::StatusCode;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::TestApp;

#[sqlx::test(migrations = false)]
async fn the_overview_renders_on_the_server_with_title_and_navigation(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;

    let response = app.admin().await.get("/").await;

    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.expect("an HTML body");
    assert!(html.contains("<title>Overview · dlrhub</title>"), "{html}");
    for section in [
        "Tenants",
        "Events",
        "Dead letters",
        "Rejected",
        "Users",
        "Audit",
    ] {
        assert!(html.contains(section), "the navigation lists {section}");
    }
    assert!(
        html.contains("/pkg/dlrhub.js"),
        "the page loads the hydration bundle"
    );
}

#[sqlx::test(migrations = false)]
async fn an_unknown_path_answers_404_with_the_not_found_page(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;

    let response = app.admin().await.get("/no/such/page").await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.expect("an HTML body");
    assert!(html.contains("Page not found"), "{html}");
}

#[sqlx::test(migrations = false)]
async fn the_service_status_server_function_reports_the_schema_version(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;

    let response = app
        .signed_in(domain::access::Role::Viewer, &[])
        .await
        .call("service_status", &[])
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    assert!(
        body["database"]["Ready"]["schema_version"]
            .as_i64()
            .is_some(),
        "{body}"
    );
}

#[sqlx::test(migrations = false)]
async fn a_database_fault_is_described_to_operators_and_only_named_to_viewers(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let viewer = app.signed_in(domain::access::Role::Viewer, &[]).await;
    let admin = app.admin().await;
    // The schema check fails (its table is gone) while sessions still work.
    app.execute("ALTER TABLE _sqlx_migrations RENAME TO _sqlx_migrations_away")
        .await;

    assert!(unreachable_reason(&admin)
        .await
        .contains("no migration table"));
    let shown = unreachable_reason(&viewer).await;
    assert!(shown.contains("cannot be reached"), "{shown}");
    assert!(
        !shown.contains("migration"),
        "no detail for viewers: {shown}"
    );
}

/// What the service status says of an unreachable database, as `visitor` sees it.
async fn unreachable_reason(visitor: &crate::helpers::Visitor) -> String {
    let response = visitor.call("service_status", &[]).await;
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    body["database"]["Unreachable"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
