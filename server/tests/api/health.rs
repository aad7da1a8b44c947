use reqwest::StatusCode;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::TestApp;

#[sqlx::test(migrations = false)]
async fn healthz_answers_ok(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(body["status"], "ok");
}

#[sqlx::test(migrations = false)]
async fn readyz_answers_ready_once_start_up_has_migrated_the_database(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;

    let response = app.get("/readyz").await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(body["status"], "ready");
    assert!(body["schema_version"].as_i64().expect("a version") > 0);
}

#[sqlx::test(migrations = false)]
async fn readyz_answers_503_with_a_reason_when_the_database_is_unreachable(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.drop_database().await;

    let response = app.get("/readyz").await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["reason"], "the database is unreachable");
    // The process itself is still up.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[sqlx::test(migrations = false)]
async fn readyz_answers_503_when_a_migration_of_this_build_is_not_applied(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.execute("DELETE FROM _sqlx_migrations").await;

    let response = app.get("/readyz").await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.expect("a JSON body");
    let reason = body["reason"].as_str().expect("a reason");
    assert!(reason.contains("dlrhub migrate"), "{reason}");
}

#[sqlx::test(migrations = false)]
async fn every_response_carries_a_request_id_and_keeps_the_callers(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;

    let generated = app.get("/healthz").await;
    let echoed = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "support-ticket-42")
        .send()
        .await
        .expect("the request reaches the server");

    let id = generated.headers()["x-request-id"].to_str().expect("ASCII");
    assert_eq!(id.len(), 36, "a UUID, got {id}");
    assert_eq!(echoed.headers()["x-request-id"], "support-ticket-42");
}
