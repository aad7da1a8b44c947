//! What browsers are told to refuse, and cross-site requests the server refuses itself.

use reqwest::StatusCode;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::TestApp;

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[sqlx::test(migrations = false)]
async fn a_page_allows_only_its_own_scripts_by_nonce_and_cannot_be_framed(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let admin = app.admin().await;

    let response = admin.get("/").await;
    let policy = header(&response, "content-security-policy");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(header(&response, "x-frame-options"), "DENY");
    assert_eq!(header(&response, "referrer-policy"), "same-origin");
    let html = response.text().await.expect("a page");

    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration scripts carry the policy's nonce: {html}"
    );
    let again = header(&admin.get("/").await, "content-security-policy");
    assert_ne!(again, policy, "a fresh nonce for every page");
    let not_found = header(&admin.get("/no/such/page").await, "content-security-policy");
    assert!(
        not_found.contains("'nonce-"),
        "error pages hydrate too: {not_found}"
    );
}

#[sqlx::test(migrations = false)]
async fn answers_that_are_not_pages_allow_nothing(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;

    let response = app.get("/healthz").await;

    assert_eq!(
        header(&response, "content-security-policy"),
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
}

#[sqlx::test(migrations = false)]
async fn a_cross_site_post_to_the_console_is_refused(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let viewer = app.signed_in(domain::access::Role::Viewer, &[]).await;
    let call = |origin: Option<String>| {
        let mut request = viewer
            .client
            .post(format!("{}/api/service_status", app.address))
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };

    let forged = call(Some("https://evil.example".into()))
        .await
        .expect("answers");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = forged.json().await.expect("a JSON reason");
    assert_eq!(body["error"], "cross_site_request");

    let own = call(Some(app.address.clone())).await.expect("answers");
    assert_eq!(
        own.status(),
        StatusCode::OK,
        "dlrhub's own pages may call it"
    );
    let stripped = call(None).await.expect("answers");
    assert_eq!(
        stripped.status(),
        StatusCode::FORBIDDEN,
        "a session's POST that names no origin (a browser made to strip both) is refused"
    );
    let anonymous = reqwest::Client::new()
        .post(format!("{}/api/service_status", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .expect("answers");
    assert_eq!(
        anonymous.status(),
        StatusCode::UNAUTHORIZED,
        "a program without a session is not taken for a forged request"
    );
    // The session cookie is SameSite=Lax as well: a browser would not even send it along
    // with a cross-site POST (checked in access::sign_in).
}

#[sqlx::test(migrations = false)]
async fn answers_with_customers_data_are_never_cached(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let admin = app.admin().await;
    let api = admin.call("service_status", &[]).await;
    assert_eq!(header(&api, "cache-control"), "no-store");
    let export = admin.get("/events.csv").await;
    assert_eq!(export.status(), StatusCode::OK);
    assert_eq!(header(&export, "cache-control"), "no-store");
    let page = admin.get("/").await;
    assert_ne!(
        header(&page, "cache-control"),
        "no-store",
        "pages are not data"
    );
    assert!(
        page.headers().get("strict-transport-security").is_none(),
        "no HSTS over plain http"
    );
}

#[sqlx::test(migrations = false)]
async fn sinch_calling_from_its_own_site_is_not_cross_site_refused(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let report = serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": "B1", "recipient": "+46701234567",
        "code": 0, "status": "Delivered", "at": "2026-11-27T10:00:00Z", "client_reference": "$uid=7"
    });

    let response = app
        .webhook("ACME01")
        .basic_auth(&acme.username, Some(&acme.password))
        .header("origin", "https://sms.api.sinch.com")
        .body(report.to_string())
        .send()
        .await
        .expect("answers");

    assert_eq!(response.status(), StatusCode::OK);
}
