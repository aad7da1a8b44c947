//! Every server function, page and private route, called as each role and as an anonymous
//! visitor: what each is allowed, and how the rest is refused.

use domain::access::Role;
use reqwest::StatusCode;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{TestApp, Visitor};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Viewer,
    Support,
    Admin,
}

/// Who may call a server function.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Needs {
    /// Any signed-in user.
    SignedIn,
    /// Support or admin (managing tenants).
    Staff,
    /// Admins only (users, audit).
    Admin,
}

/// A server function's endpoint, its arguments, and who may call it.
type Call<'a> = (&'static str, Vec<(&'static str, &'a str)>, Needs);

/// What a server function answers each caller; `done` is its answer to one who may call
/// it (200, or what the arguments given here earn: a 422 for a wrong password).
fn expect(who: Who, needs: Needs, done: StatusCode) -> StatusCode {
    match (who, needs) {
        (Who::Anonymous, _) => StatusCode::UNAUTHORIZED,
        (Who::Admin, _) | (_, Needs::SignedIn) => done,
        (Who::Support, Needs::Staff) => done,
        _ => StatusCode::FORBIDDEN,
    }
}

/// The answer to a caller who may, for the calls whose arguments here are refused.
fn done(endpoint: &str) -> StatusCode {
    match endpoint {
        "change_password"
        | "delete_tenant"
        | "remove_demo"
        | "set_forwarding"
        | "replace_data_api_key"
        | "test_new_credentials" => StatusCode::UNPROCESSABLE_ENTITY,
        // No MoEngage simulator here: it says why it cannot run.
        "start_demo" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::OK,
    }
}

/// Every server function the app declares, by endpoint.
fn declared() -> std::collections::BTreeSet<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect()
}

/// ACME01 with one stored event; the event's id.
async fn one_event(app: &TestApp) -> String {
    let acme = app.tenant("ACME01", true).await;
    let report = serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": "M1", "recipient": "+447700900001",
        "code": 0, "status": "Delivered", "at": "2026-11-27T10:00:00Z",
        "client_reference": "$uid=42",
    });
    let response = app.post_report(&acme, &report.to_string()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let id: i64 = sqlx::query_scalar("SELECT id FROM events")
        .fetch_one(&app.pool)
        .await
        .expect("the event");
    id.to_string()
}

#[sqlx::test(migrations = false)]
async fn each_role_gets_exactly_what_it_may(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let event = one_event(&app).await;
    app.user("target@example.com", Role::Viewer, &["ACME01"])
        .await;
    let target: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'target@example.com'")
        .fetch_one(&app.pool)
        .await
        .expect("the target user exists");
    let target = target.to_string();
    let mut visitors: Vec<(Who, Visitor)> = vec![(Who::Anonymous, app.visitor())];
    visitors.push((Who::Viewer, app.signed_in(Role::Viewer, &["ACME01"]).await));
    visitors.push((Who::Support, app.signed_in(Role::Support, &[]).await));
    visitors.push((Who::Admin, app.admin().await));

    let mut seen = Vec::new();
    for (who, visitor) in &visitors {
        let new_email = format!("new-{who:?}@example.com").to_lowercase();
        let new_key = format!("NEW{who:?}");
        let functions: Vec<Call<'_>> = vec![
            ("service_status", vec![], Needs::SignedIn),
            (
                "change_password",
                vec![
                    ("current_password", "wrong password here"),
                    ("new_password", "a fine new password"),
                    ("confirm_password", "a fine new password"),
                ],
                Needs::SignedIn,
            ),
            ("get_tenant", vec![("app_key", "ACME01")], Needs::SignedIn),
            (
                "register_tenant",
                vec![
                    ("app_key", &new_key),
                    ("name", "Matrix"),
                    ("data_center", "DC-01"),
                    ("data_api_key", "k-1234"),
                ],
                Needs::Staff,
            ),
            (
                "set_integration",
                vec![("app_key", "ACME01"), ("enabled", "true")],
                Needs::Staff,
            ),
            ("overview", vec![], Needs::SignedIn),
            ("tenants_activity", vec![], Needs::SignedIn),
            (
                "tenant_charts",
                vec![("app_key", "ACME01")],
                Needs::SignedIn,
            ),
            ("list_events", vec![("query[uid]", "42")], Needs::SignedIn),
            (
                "event_filter_options",
                vec![("query[tenant]", "")],
                Needs::SignedIn,
            ),
            (
                "get_event",
                vec![("app_key", "ACME01"), ("id", &event)],
                Needs::SignedIn,
            ),
            (
                "replay_event",
                vec![("app_key", "ACME01"), ("id", &event)],
                Needs::Staff,
            ),
            ("dead_letter_groups", vec![], Needs::SignedIn),
            ("rejected_reports", vec![], Needs::SignedIn),
            ("global_search", vec![("text", "42")], Needs::SignedIn),
            (
                "export_progress",
                vec![("id", "matrix-export-1")],
                Needs::SignedIn,
            ),
            (
                "dead_letters_in_group",
                vec![("app_key", "ACME01"), ("reason", "HTTP 400")],
                Needs::SignedIn,
            ),
            (
                "replay_progress",
                vec![("app_key", "ACME01"), ("mark", "2026-11-28T00:00:00Z")],
                Needs::SignedIn,
            ),
            (
                "replay_dead_letters",
                vec![("app_key", "ACME01"), ("reason", ""), ("ids", "")],
                Needs::Staff,
            ),
            (
                "discard_dead_letters",
                vec![
                    ("app_key", "ACME01"),
                    ("reason", ""),
                    ("ids", ""),
                    ("note", "not needed"),
                ],
                Needs::Staff,
            ),
            (
                "tenant_events",
                vec![("app_key", "ACME01")],
                Needs::SignedIn,
            ),
            (
                "test_new_credentials",
                vec![
                    ("app_key", "ACME01"),
                    ("data_center", "DC-01"),
                    ("data_api_key", ""),
                ],
                Needs::Staff,
            ),
            (
                "test_tenant_credentials",
                vec![("app_key", "ACME01")],
                Needs::Staff,
            ),
            (
                "send_test_report",
                vec![("app_key", "ACME01")],
                Needs::Staff,
            ),
            (
                "rotate_callback_credentials",
                vec![("app_key", "ACME01")],
                Needs::Staff,
            ),
            (
                "set_hmac_signing",
                vec![("app_key", "ACME01"), ("on", "false")],
                Needs::Staff,
            ),
            (
                "replace_data_api_key",
                vec![("app_key", "ACME01"), ("data_api_key", " ")],
                Needs::Staff,
            ),
            (
                "set_forwarding",
                vec![
                    ("app_key", "ACME01"),
                    ("rate_per_s", "0"),
                    ("concurrency", "4"),
                ],
                Needs::Staff,
            ),
            (
                "delete_tenant",
                vec![("app_key", "ACME01"), ("confirmation", "not it")],
                Needs::Staff,
            ),
            ("remove_demo", vec![("app_key", "ACME01")], Needs::Staff),
            ("demo_offer", vec![], Needs::Admin),
            // Without the MoEngage simulator it answers why it cannot run.
            ("start_demo", vec![], Needs::Admin),
            ("list_users", vec![], Needs::Admin),
            ("tenant_choices", vec![], Needs::Admin),
            (
                "add_user",
                vec![("email", &new_email), ("role", "support")],
                Needs::Admin,
            ),
            (
                "update_user",
                vec![
                    ("id", &target),
                    ("role", "viewer"),
                    ("tenants[0]", "ACME01"),
                ],
                Needs::Admin,
            ),
            (
                "set_user_disabled",
                vec![("id", &target), ("disabled", "false")],
                Needs::Admin,
            ),
            ("reset_user_password", vec![("id", &target)], Needs::Admin),
            (
                "list_audit",
                vec![
                    ("query[action]", ""),
                    ("query[who]", ""),
                    ("query[period]", ""),
                ],
                Needs::Admin,
            ),
        ];
        for (endpoint, args, needs) in functions {
            let response = visitor.call(endpoint, &args).await;
            let status = response.status();
            let body = response.text().await.expect("a body");
            assert_eq!(
                status,
                expect(*who, needs, done(endpoint)),
                "{who:?} {endpoint}: {body}"
            );
            if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                assert!(
                    !body.contains("target@example.com"),
                    "{who:?} {endpoint}: {body}"
                );
            }
            seen.push((*who, endpoint));
        }

        let whoami = visitor.call("whoami", &[]).await;
        assert_eq!(whoami.status(), StatusCode::OK);
        let me: serde_json::Value = whoami.json().await.expect("JSON");
        assert_eq!(me.is_null(), *who == Who::Anonymous, "{who:?}: {me}");

        // Metrics: for operators (admin, support), not for viewers or visitors.
        let metrics = visitor.get("/metrics").await.status();
        let expected = match who {
            Who::Support | Who::Admin => StatusCode::OK,
            _ => StatusCode::UNAUTHORIZED,
        };
        assert_eq!(metrics, expected, "{who:?} /metrics");
    }
    assert_eq!(seen.len(), 4 * 39);
    // Derived from what the app declares: a new server function fails this test until it
    // has its row above (whoami, for anyone, is checked on its own).
    let mut called: std::collections::BTreeSet<String> = seen
        .iter()
        .map(|(_, endpoint)| endpoint.to_string())
        .collect();
    called.insert("whoami".to_owned());
    assert_eq!(
        called,
        declared(),
        "every declared server function is in the matrix"
    );
}

#[sqlx::test(migrations = false)]
async fn pages_open_for_the_roles_that_may_see_them(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let event = format!("/events/ACME01/{}", one_event(&app).await);
    let visitors = [
        (Who::Anonymous, app.visitor()),
        (Who::Viewer, app.signed_in(Role::Viewer, &["ACME01"]).await),
        (Who::Support, app.signed_in(Role::Support, &[]).await),
        (Who::Admin, app.admin().await),
    ];

    for (who, visitor) in &visitors {
        for (path, admin_only) in [
            ("/", false),
            ("/account", false),
            ("/tenants", false),
            ("/tenants/ACME01", false),
            ("/events", false),
            (&event, false),
            ("/dead-letters", false),
            ("/rejected", false),
            ("/search?q=42", false),
            ("/users", true),
            ("/audit", true),
        ] {
            let response = visitor.get(path).await;
            let expected = match who {
                Who::Anonymous => StatusCode::SEE_OTHER,
                Who::Admin => StatusCode::OK,
                _ if admin_only => StatusCode::NOT_FOUND,
                _ => StatusCode::OK,
            };
            assert_eq!(response.status(), expected, "{who:?} GET {path}");
            let html = response.text().await.expect("a body");
            if expected == StatusCode::NOT_FOUND {
                assert!(html.contains("Page not found"), "{who:?} {path}");
            }
        }
        let login = visitor.get("/login").await.status();
        let expected = if *who == Who::Anonymous {
            StatusCode::OK
        } else {
            StatusCode::SEE_OTHER
        };
        assert_eq!(login, expected, "{who:?} GET /login");
    }
}

#[sqlx::test(migrations = false)]
async fn the_navigation_lists_admin_sections_for_admins_only(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;

    for (role, lists) in [
        (Role::Admin, true),
        (Role::Support, false),
        (Role::Viewer, false),
    ] {
        let html = app
            .signed_in(role, &[])
            .await
            .get("/")
            .await
            .text()
            .await
            .expect("a page");
        assert_eq!(html.contains(r#"href="/users""#), lists, "{role}");
        assert_eq!(html.contains(r#"href="/audit""#), lists, "{role}");
    }
}

#[sqlx::test(migrations = false)]
async fn private_routes_refuse_visitors(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let visitor = app.visitor();

    let everywhere = visitor.post_form("/auth/logout-everywhere", &[]).await;
    assert_eq!(everywhere.status(), StatusCode::UNAUTHORIZED);
    let metrics = visitor
        .client
        .get(format!("{}/metrics", app.address))
        .bearer_auth("a guess")
        .send()
        .await
        .expect("the request reaches the server");
    assert_eq!(metrics.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.metrics().await.status(),
        StatusCode::OK,
        "the real token works"
    );
}
