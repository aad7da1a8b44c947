use domain::access::Role;
use reqwest::StatusCode;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{TestApp, PASSWORD};

fn location(response: &reqwest::Response) -> &str {
    response.headers()["location"].to_str().expect("ASCII")
}

#[sqlx::test(migrations = false)]
async fn a_visitor_is_sent_to_sign_in_and_brought_back(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Support, &[]).await;
    let visitor = app.visitor();

    let overview = visitor.get("/").await;
    assert_eq!(overview.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&overview), "/login");
    let account = visitor.get("/account?tab=password").await;
    assert_eq!(
        location(&account),
        "/login?next=%2Faccount%3Ftab%3Dpassword"
    );

    let login = visitor.get("/login").await;
    assert_eq!(login.status(), StatusCode::OK);
    let html = login.text().await.expect("a page");
    assert!(html.contains(r#"action="/auth/login""#), "{html}");

    let signed_in = visitor
        .post_form(
            "/auth/login",
            &[
                ("email", " Ana@Example.com "),
                ("password", PASSWORD),
                ("next", "/account?tab=password"),
            ],
        )
        .await;
    assert_eq!(location(&signed_in), "/account?tab=password");
    let page = visitor.get("/account").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("a page");
    assert!(
        html.contains("ana@example.com"),
        "the user menu names them: {html}"
    );
}

#[sqlx::test(migrations = false)]
async fn the_session_cookie_is_http_only_and_same_site(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Viewer, &[]).await;

    let response = app.visitor().sign_in("ana@example.com", PASSWORD).await;

    let cookie = response.headers()["set-cookie"].to_str().expect("ASCII");
    assert!(cookie.starts_with("dlrhub_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    // The tests run over plain http with DLRHUB_SECURE_COOKIES=false; the default (Secure)
    // is checked in the configuration's unit tests.
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[sqlx::test(migrations = false)]
async fn every_failure_gets_the_same_generic_answer(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Admin, &[]).await;
    app.user("bo@example.com", Role::Admin, &[]).await;
    app.execute("UPDATE users SET disabled_at = now() WHERE email = 'bo@example.com'")
        .await;
    let visitor = app.visitor();

    for (email, password) in [
        ("ana@example.com", "not the password"),
        ("nobody@example.com", PASSWORD),
        ("bo@example.com", PASSWORD),
        ("not an email", PASSWORD),
    ] {
        let response = visitor.sign_in(email, password).await;
        assert_eq!(location(&response), "/login?error=invalid", "{email}");
        assert!(response.headers().get("set-cookie").is_none(), "{email}");
    }
    assert_eq!(visitor.get("/").await.status(), StatusCode::SEE_OTHER);
    let page = visitor
        .get("/login?error=invalid")
        .await
        .text()
        .await
        .expect("a page");
    assert!(page.contains("Wrong email or password."), "{page}");
}

#[sqlx::test(migrations = false)]
async fn after_sign_in_only_local_paths_are_followed(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Admin, &[]).await;

    for next in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let response = app
            .visitor()
            .post_form(
                "/auth/login",
                &[
                    ("email", "ana@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(location(&response), "/", "{next}");
    }
}

#[sqlx::test(migrations = false)]
async fn a_signed_in_user_visiting_the_login_page_goes_to_the_overview(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let viewer = app.signed_in(Role::Viewer, &[]).await;

    let response = viewer.get("/login").await;

    assert_eq!(location(&response), "/");
}

#[sqlx::test(migrations = false)]
async fn a_cross_site_sign_in_is_refused(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Admin, &[]).await;

    let response = app
        .visitor()
        .client
        .post(format!("{}/auth/login", app.address))
        .header("origin", "https://evil.example")
        .form(&[("email", "ana@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .expect("the request reaches the server");

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get("set-cookie").is_none());
}
