use domain::access::Role;
use reqwest::StatusCode;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{TestApp, PASSWORD};

/// The session id a sign-in answered with.
fn session_cookie(response: &reqwest::Response) -> String {
    let cookie = response.headers()["set-cookie"].to_str().expect("ASCII");
    cookie
        .split(';')
        .next()
        .expect("a name=value pair")
        .to_owned()
}

/// Whether a request carrying only `cookie` gets the overview (rather than the sign-in).
async fn opens_the_console(app: &TestApp, cookie: &str) -> bool {
    let response = app
        .visitor()
        .client
        .get(format!("{}/", app.address))
        .header("cookie", cookie)
        .send()
        .await
        .expect("the request reaches the server");
    response.status() == StatusCode::OK
}

#[sqlx::test(migrations = false)]
async fn signing_in_again_rotates_the_session_id(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Admin, &[]).await;
    let visitor = app.visitor();

    let first = session_cookie(&visitor.sign_in("ana@example.com", PASSWORD).await);
    let second = session_cookie(&visitor.sign_in("ana@example.com", PASSWORD).await);

    assert_ne!(first, second, "a new id at every sign-in");
    assert!(
        !opens_the_console(&app, &first).await,
        "the old id is worthless"
    );
    assert!(opens_the_console(&app, &second).await);
}

#[sqlx::test(migrations = false)]
async fn signing_out_deletes_the_session(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Viewer, &[]).await;
    let visitor = app.visitor();
    let cookie = session_cookie(&visitor.sign_in("ana@example.com", PASSWORD).await);
    assert_eq!(app.count("sessions").await, 1);

    let response = visitor.post_form("/auth/logout", &[]).await;

    assert_eq!(response.headers()["location"], "/login?signed_out=here");
    assert_eq!(app.count("sessions").await, 0);
    assert!(
        !opens_the_console(&app, &cookie).await,
        "a copied cookie opens nothing"
    );
    assert_eq!(visitor.get("/").await.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test(migrations = false)]
async fn signing_out_everywhere_ends_every_device(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Support, &[]).await;
    let laptop = app.visitor();
    let phone = app.visitor();
    laptop.sign_in("ana@example.com", PASSWORD).await;
    phone.sign_in("ana@example.com", PASSWORD).await;
    let someone_else = app.signed_in(Role::Support, &[]).await;

    let response = phone.post_form("/auth/logout-everywhere", &[]).await;

    assert_eq!(
        response.headers()["location"],
        "/login?signed_out=everywhere"
    );
    assert_eq!(laptop.get("/").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(phone.get("/").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(someone_else.get("/").await.status(), StatusCode::OK);
    assert_eq!(
        app.count("audit_log WHERE action = 'signed_out_everywhere'")
            .await,
        1
    );
}

#[sqlx::test(migrations = false)]
async fn changing_the_password_ends_the_other_sessions_only(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Viewer, &[]).await;
    let laptop = app.visitor();
    let phone = app.visitor();
    laptop.sign_in("ana@example.com", PASSWORD).await;
    phone.sign_in("ana@example.com", PASSWORD).await;
    let new_password = "a much better passphrase";

    let response = laptop
        .call(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
                ("confirm_password", new_password),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body, serde_json::json!(null));
    assert_eq!(
        laptop.get("/").await.status(),
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(phone.get("/").await.status(), StatusCode::SEE_OTHER);
    let old = app.visitor().sign_in("ana@example.com", PASSWORD).await;
    assert_eq!(old.headers()["location"], "/login?error=invalid");
    let new = app.visitor().sign_in("ana@example.com", new_password).await;
    assert_eq!(new.headers()["location"], "/");
}

#[sqlx::test(migrations = false)]
async fn password_changes_follow_the_policy(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let viewer = app.signed_in(Role::Viewer, &[]).await;
    let email = viewer.email.clone();

    for (current, new, confirm, field) in [
        (
            "wrong current password",
            "a fine new password",
            "a fine new password",
            "current_password",
        ),
        (PASSWORD, "too short", "too short", "new_password"),
        (PASSWORD, &email, &email, "new_password"),
        (
            PASSWORD,
            "a fine new password",
            "a different one!!",
            "confirm_password",
        ),
    ] {
        let response = viewer
            .call(
                "change_password",
                &[
                    ("current_password", current),
                    ("new_password", new),
                    ("confirm_password", confirm),
                ],
            )
            .await;
        let body: serde_json::Value = response.json().await.expect("JSON");
        assert_eq!(body["Invalid"][0][0], field, "{body}");
    }
    assert_eq!(
        app.count("audit_log WHERE action = 'password_changed'")
            .await,
        0
    );
}

#[sqlx::test(migrations = false)]
async fn guessing_the_current_password_is_throttled_like_signing_in(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let viewer = app.signed_in(Role::Viewer, &[]).await;
    let change = |current: &'static str| {
        let viewer = &viewer;
        async move {
            let body: serde_json::Value = viewer
                .call(
                    "change_password",
                    &[
                        ("current_password", current),
                        ("new_password", "a fine new password"),
                        ("confirm_password", "a fine new password"),
                    ],
                )
                .await
                .json()
                .await
                .expect("JSON");
            body
        }
    };
    // Three wrong guesses are free; the fourth starts a wait.
    for _ in 0..4 {
        let body = change("a wrong guess").await;
        assert_eq!(
            body["Invalid"][0][1], "this is not your current password",
            "{body}"
        );
    }
    // During the wait even the right password is not checked.
    let body = change(PASSWORD).await;
    assert_eq!(body["Invalid"][0][0], "current_password", "{body}");
    let message = body["Invalid"][0][1].as_str().expect("a message");
    assert!(message.starts_with("too many wrong passwords"), "{message}");
    // The account's sign-in from the same address shares the throttle.
    let sign_in = app
        .visitor()
        .sign_in_from(&viewer.email, PASSWORD, "127.0.0.1")
        .await;
    assert!(
        sign_in.headers()["location"]
            .to_str()
            .expect("text")
            .starts_with("/login?error=throttled"),
        "{:?}",
        sign_in.headers()["location"]
    );
}

#[sqlx::test(migrations = false)]
async fn a_session_ends_at_its_absolute_limit_whatever_the_activity(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let viewer = app.signed_in(Role::Viewer, &[]).await;
    assert_eq!(viewer.get("/").await.status(), StatusCode::OK);

    // Signed in 13 hours ago (the limit is 12), active until now.
    app.execute(
        "UPDATE sessions SET data = jsonb_set(data, '{signed_in,since}',
             to_jsonb(to_char((now() - interval '13 hours') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')))",
    )
    .await;

    assert_eq!(viewer.get("/").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("sessions").await, 0, "the session is deleted");
}

#[sqlx::test(migrations = false)]
async fn an_idle_session_expires(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let viewer = app.signed_in(Role::Viewer, &[]).await;

    app.execute("UPDATE sessions SET expires_at = now() - interval '1 second'")
        .await;

    assert_eq!(viewer.get("/").await.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test(migrations = false)]
async fn disabling_a_user_ends_their_sessions_at_once(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let admin = app.admin().await;
    let viewer = app.signed_in(Role::Viewer, &[]).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&viewer.email)
        .fetch_one(&app.pool)
        .await
        .expect("the viewer exists");

    let response = admin
        .call(
            "set_user_disabled",
            &[("id", &id.to_string()), ("disabled", "true")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(viewer.get("/").await.status(), StatusCode::SEE_OTHER);
    let again = app.visitor().sign_in(&viewer.email, PASSWORD).await;
    assert_eq!(again.headers()["location"], "/login?error=invalid");
}

#[sqlx::test(migrations = false)]
async fn an_unreadable_session_counts_as_signed_out(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let viewer = app.signed_in(Role::Viewer, &[]).await;

    app.execute(r#"UPDATE sessions SET data = '{"signed_in": {"user": "someone"}}'"#)
        .await;

    let response = viewer.get("/").await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "sent to sign in, not a 503"
    );
    assert_eq!(app.count("sessions").await, 0);
}
