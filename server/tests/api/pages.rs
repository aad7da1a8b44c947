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
