//! The Users page's server functions, as an admin uses them.

use domain::access::Role;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{TestApp, Visitor};

async fn json(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("JSON")
}

/// A refusal of wrong input: 422 with the message per field.
async fn refused(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    response.json().await.expect("JSON")
}

async fn user_id(app: &TestApp, email: &str) -> String {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .expect("the user exists");
    id.to_string()
}

async fn sign_in_works(app: &TestApp, email: &str, password: &str) -> bool {
    let response = app.visitor().sign_in(email, password).await;
    response.headers()["location"] == "/"
}

#[sqlx::test(migrations = false)]
async fn an_admin_adds_a_viewer_who_signs_in_with_the_issued_password(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.tenant("ACME01", true).await;
    app.tenant("BETA02", true).await;
    app.tenant("GAMMA3", true).await;
    let admin = app.admin().await;

    // Checkboxes 0 and 2 ticked, 1 not: the form posts a list with a gap.
    let added = json(
        admin
            .call(
                "add_user",
                &[
                    ("email", "Vera@Example.com"),
                    ("role", "viewer"),
                    ("tenants[0]", "ACME01"),
                    ("tenants[2]", "GAMMA3"),
                ],
            )
            .await,
    )
    .await;

    let issued = &added;
    assert_eq!(issued["email"], "vera@example.com");
    let password = issued["password"].as_str().expect("a password");
    assert!(password.len() >= 20, "{password}");
    assert!(sign_in_works(&app, "vera@example.com", password).await);
    let users = json(admin.call("list_users", &[]).await).await;
    let vera = users
        .as_array()
        .expect("a list")
        .iter()
        .find(|user| user["email"] == "vera@example.com")
        .expect("listed")
        .clone();
    assert_eq!(vera["role"], "viewer");
    assert_eq!(vera["tenants"], serde_json::json!(["ACME01", "GAMMA3"]));
}

#[sqlx::test(migrations = false)]
async fn adding_a_user_reports_each_problem_beside_its_field(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let admin = app.admin().await;

    for (args, field) in [
        (vec![("email", "not-an-email"), ("role", "viewer")], "email"),
        (
            vec![("email", admin.email.as_str()), ("role", "viewer")],
            "email",
        ),
        (vec![("email", "ok@example.com"), ("role", "root")], "role"),
        (
            vec![
                ("email", "ok@example.com"),
                ("role", "viewer"),
                ("tenants[0]", "NOPE"),
            ],
            "tenants",
        ),
    ] {
        let answer = refused(admin.call("add_user", &args).await).await;
        assert_eq!(answer["Invalid"][0][0], field, "{args:?}: {answer}");
    }
    assert_eq!(app.count("users").await, 1, "nothing was added");
}

#[sqlx::test(migrations = false)]
async fn the_last_enabled_admin_cannot_be_demoted_or_disabled(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let admin = app.admin().await;
    let id = user_id(&app, &admin.email).await;

    let demoted = refused(
        admin
            .call("update_user", &[("id", &id), ("role", "support")])
            .await,
    )
    .await;
    let disabled = refused(
        admin
            .call("set_user_disabled", &[("id", &id), ("disabled", "true")])
            .await,
    )
    .await;

    for answer in [demoted, disabled] {
        assert_eq!(answer["Invalid"][0][0], "form", "{answer}");
        assert!(answer["Invalid"][0][1]
            .as_str()
            .unwrap_or_default()
            .contains("admin"));
    }
    assert_eq!(
        app.count("users WHERE role = 'admin' AND disabled_at IS NULL")
            .await,
        1
    );

    // With a second admin, the first may step down.
    app.user("second@example.com", Role::Admin, &[]).await;
    let demoted = json(
        admin
            .call("update_user", &[("id", &id), ("role", "support")])
            .await,
    )
    .await;
    assert_eq!(demoted, serde_json::json!(null));
}

#[sqlx::test(migrations = false)]
async fn a_reset_password_replaces_the_old_one_and_ends_sessions(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let admin: Visitor = app.admin().await;
    let support = app.signed_in(Role::Support, &[]).await;
    let id = user_id(&app, &support.email).await;

    let issued = json(admin.call("reset_user_password", &[("id", &id)]).await).await;

    let password = issued["password"].as_str().expect("a password");
    assert_eq!(support.get("/").await.status(), StatusCode::SEE_OTHER);
    assert!(!sign_in_works(&app, &support.email, &support.password).await);
    assert!(sign_in_works(&app, &support.email, password).await);
    let unknown = admin.call("reset_user_password", &[("id", "999999")]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = false)]
async fn a_viewer_sees_only_their_tenants(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.tenant("ACME01", true).await;
    app.tenant("BETA02", true).await;
    app.user("vera@example.com", Role::Viewer, &["ACME01"])
        .await;

    let account = store::users::account(
        &app.pool,
        store::users::UserId(
            user_id(&app, "vera@example.com")
                .await
                .parse()
                .expect("an id"),
        ),
    )
    .await
    .expect("reads")
    .expect("exists");
    let acme = store::tenants::find(&app.pool, &domain::AppKey::parse("ACME01").expect("valid"))
        .await
        .expect("reads")
        .expect("exists");

    assert_eq!(account.tenant_ids, vec![acme.id]);
}
