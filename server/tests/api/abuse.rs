//! Hostile traffic on the public webhook and the sign-in form, and the bounds that hold
//! against it (issue 16): padded and made-up workspace ids, credentials tried against a
//! disabled integration, unsigned bodies, deeply nested and oversize bodies (declared or
//! streamed), and failed sign-ins from many addresses filling the audit log.

use reqwest::StatusCode;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use store::webhook_records::RefusalReason;

use crate::helpers::{eventually, TestApp};

/// The number of `dlrhub_reports_received_total` series /metrics serves now.
async fn received_series(app: &TestApp) -> usize {
    let metrics = app.metrics().await.text().await.expect("a body");
    metrics
        .lines()
        .filter(|line| line.starts_with("dlrhub_reports_received_total{"))
        .count()
}

/// A workspace id nobody registered: random enough that no two calls share one.
fn made_up_id(i: usize) -> String {
    format!(
        "RND{i:06}{}",
        store::cipher::random_token(4).expect("random")
    )
}

#[sqlx::test(migrations = false)]
async fn padded_workspace_ids_are_refused_and_add_no_metric_series(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.tenant("SECTEST01", true).await;
    // One call of each kind first, so that every series that should exist does.
    let _ = app.webhook("SECTEST01").body("{}").send().await;
    let _ = app.webhook("NOSUCH01").body("{}").send().await;
    let before = received_series(&app).await;

    for padding in 1..=1000 {
        let path = format!("{}SECTEST01", "%20".repeat(padding % 40 + 1));
        let path = if padding % 2 == 0 {
            path
        } else {
            format!("SECTEST01%0A{padding}")
        };
        let response = app.webhook(&path).body("{}").send().await.expect("answers");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }

    assert_eq!(
        received_series(&app).await,
        before,
        "1,000 padded ids added no series"
    );
}

#[sqlx::test(migrations = false)]
async fn made_up_workspace_ids_grow_neither_the_caches_nor_the_table_but_a_real_one_shows(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;

    // Through HTTP: each made-up id calls once.
    for i in 0..2_000 {
        let response = app
            .webhook(&made_up_id(i))
            .body("{}")
            .send()
            .await
            .expect("answers");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    // A customer who pasted the callback URL before being registered calls again and again.
    for _ in 0..5 {
        let _ = app.webhook("PASTED01").body("{}").send().await;
    }
    eventually("every call of a repeated unknown id is counted", || async {
        app.count("refused_calls WHERE app_key = 'PASTED01' AND calls = 5")
            .await
            == 1
    })
    .await;
    // Written a second after the ids that called once had made their calls, had they been
    // gathered at all.
    assert_eq!(
        app.count("refused_calls").await,
        1,
        "ids that called once are not written down"
    );
    let admin = app.admin().await;
    let overview = admin.get("/").await.text().await.expect("a page");
    assert!(overview.contains("PASTED01"), "the overview names it");

    // The same path 100,000 times, straight through the counters the webhook uses: the
    // process keeps at most its capacity of ids, gathers at most 100 apart between two
    // writes, and the table keeps at most 100 plus one row.
    let unknown = server::routes::webhooks::UnknownWorkspaces::default();
    let gathered = server::routes::webhooks::RefusedCalls::default();
    let call = |key: &domain::AppKey| {
        if let Some(calls) = unknown.called(key) {
            gathered.add(&app.pool, key.as_str(), RefusalReason::UnknownTenant, calls);
        }
    };
    for i in 0..100_000 {
        call(&domain::AppKey::parse(&format!("FLOOD{i:07}")).expect("valid"));
    }
    // Ids that call often enough to be shown: far more than the table keeps.
    for i in 0..150 {
        let key = domain::AppKey::parse(&format!("OFTEN{i:04}")).expect("valid");
        for _ in 0..server::routes::webhooks::RECORD_AFTER {
            call(&key);
        }
    }
    assert!(
        unknown.counted() <= 10_000,
        "{} ids counted",
        unknown.counted()
    );
    assert!(
        gathered.gathered() <= 101,
        "{} keys gathered",
        gathered.gathered()
    );
    let others = "SELECT coalesce(sum(calls), 0)::bigint FROM refused_calls \
                  WHERE app_key = '' AND reason = 'unknown_tenant'";
    eventually(
        "the calls of ids past the limit are still counted",
        || async {
            let calls: i64 = sqlx::query_scalar(others)
                .fetch_one(&app.pool)
                .await
                .expect("a sum");
            calls > 0
        },
    )
    .await;
    let rows = app
        .count("refused_calls WHERE reason = 'unknown_tenant'")
        .await;
    assert!(rows <= 101, "{rows} rows");
    let calls =
        "SELECT sum(calls)::bigint FROM refused_calls WHERE app_key LIKE 'OFTEN%' OR app_key = ''";
    eventually(
        "all 450 calls of the ids that called often are counted",
        || async {
            let counted: Option<i64> = sqlx::query_scalar(calls)
                .fetch_one(&app.pool)
                .await
                .expect("a sum");
            counted == Some(450)
        },
    )
    .await;
}

#[sqlx::test(migrations = false)]
async fn the_tenant_cache_stays_within_its_capacity_under_made_up_ids(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let cache = store::TenantCache::start(app.pool.clone());
    for i in 0..12_000 {
        let key = domain::AppKey::parse(&format!("MISS{i:07}")).expect("valid");
        assert!(cache.find(&key).await.expect("reads").is_none());
    }
    assert!(cache.len() <= 10_000, "{} workspaces cached", cache.len());
}

#[sqlx::test(migrations = false)]
async fn a_wrong_password_gets_401_whether_the_integration_is_on_or_off(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let off = app.tenant("OFF01", false).await;
    let on = app.tenant("ON01", true).await;

    for tenant in [&off, &on] {
        let response = app
            .webhook(&tenant.app_key)
            .basic_auth(&tenant.username, Some("wrong"))
            .body("{}")
            .send()
            .await
            .expect("answers");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{}",
            tenant.app_key
        );
    }
    let response = app.post_report(&off, "{}").await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "only Sinch itself learns that the integration is off"
    );
}

#[sqlx::test(migrations = false)]
async fn an_unsigned_or_wrongly_signed_body_is_never_stored(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.signing_tenant("ACME01", "shared-secret").await;

    let unsigned = app
        .webhook("ACME01")
        .basic_auth(&acme.username, Some(&acme.password))
        .header("content-type", "text/plain")
        .body("not json, and not signed")
        .send()
        .await
        .expect("answers");
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let forged = app
        .webhook("ACME01")
        .basic_auth(&acme.username, Some(&acme.password))
        .header("x-sinch-webhook-signature", "Zm9yZ2Vk")
        .header("x-sinch-webhook-timestamp", "1700000000")
        .header("x-sinch-webhook-nonce", "n")
        .header("x-sinch-webhook-algorithm", "HmacSHA256")
        .body("{\"type\": 1}")
        .send()
        .await
        .expect("answers");
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("malformed_calls").await, 0, "nothing kept");
    assert_eq!(app.count("reports").await, 0);
}

#[sqlx::test(migrations = false)]
async fn a_signed_callback_replayed_after_the_window_is_refused_with_the_reason(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.signing_tenant("ACME01", "shared-secret").await;
    let report = crate::forwarding::recipient_report("B1", "+46701234567", "Delivered", "7");
    let send_signed_at = |at: i64| {
        let timestamp = at.to_string();
        let signature = server::sinch_signature::sign(
            "shared-secret",
            report.as_bytes(),
            "nonce-1",
            &timestamp,
        );
        app.webhook("ACME01")
            .basic_auth(&acme.username, Some(&acme.password))
            .header("x-sinch-webhook-signature", signature)
            .header("x-sinch-webhook-timestamp", timestamp)
            .header("x-sinch-webhook-nonce", "nonce-1")
            .body(report.clone())
            .send()
    };
    let now = chrono::Utc::now().timestamp();

    let replayed = send_signed_at(now - 2 * 86_400).await.expect("answers");
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = replayed.json().await.expect("JSON");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("outside the 86400 s accepted"), "{body}");
    assert_eq!(app.count("reports").await, 0);

    // A Sinch retry 22 hours after its first signature is still taken.
    let retried = send_signed_at(now - 22 * 3600).await.expect("answers");
    assert_eq!(retried.status(), StatusCode::OK);
}

/// The address the audit log recorded for the latest failed sign-in.
async fn audited_address(app: &TestApp) -> Option<String> {
    sqlx::query_scalar(
        "SELECT source_ip FROM audit_log WHERE action = 'sign_in_failed' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a failed sign-in is audited")
}

#[sqlx::test(migrations = false)]
async fn a_client_address_header_is_believed_only_from_a_trusted_proxy(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    // The tests' requests come from 127.0.0.1: here it is not a trusted proxy.
    let app = TestApp::spawn_with_access(db.clone(), |access| {
        access.trusted_proxies = vec!["192.0.2.0/24".parse().expect("a network")]
    })
    .await;
    app.user("ana@example.com", domain::access::Role::Admin, &[])
        .await;
    let visitor = app.visitor();
    visitor
        .sign_in_from("ana@example.com", "guess", "203.0.113.9")
        .await;
    assert_eq!(
        audited_address(&app).await.as_deref(),
        Some("127.0.0.1"),
        "a forged X-Forwarded-For from an untrusted peer is ignored"
    );

    // Through a trusted proxy (the loopback, by default) the header names the client.
    let proxied = TestApp::spawn_with_access(db, |_| {}).await;
    proxied
        .visitor()
        .sign_in_from("ana@example.com", "guess", "203.0.113.9")
        .await;
    assert_eq!(
        audited_address(&proxied).await.as_deref(),
        Some("203.0.113.9")
    );
}

/// Sends `body` to a signing-free tenant's webhook as Sinch would, answering its status.
async fn posted(app: &TestApp, tenant: &crate::helpers::TestTenant, body: String) -> StatusCode {
    app.webhook(&tenant.app_key)
        .basic_auth(&tenant.username, Some(&tenant.password))
        .body(body)
        .send()
        .await
        .expect("the server answers")
        .status()
}

#[sqlx::test(migrations = false)]
async fn deeply_nested_bodies_are_refused_as_malformed_and_the_server_carries_on(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    // Nearly 1 MiB of nesting, in arrays, in objects, and inside a report's own field.
    let depth = 400_000;
    let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let objects = format!("{}1{}", "{\"a\":".repeat(depth / 8), "}".repeat(depth / 8));
    let inside = format!(
        r#"{{"type": "recipient_delivery_report_sms", "batch_id": "N1", "recipient": "+447700900001", "code": 0, "status": "Delivered", "at": "2026-11-27T10:00:00Z", "extra": {}}}"#,
        "[".repeat(depth / 2) + &"]".repeat(depth / 2)
    );
    for body in [arrays, objects, inside] {
        assert!(body.len() < 1024 * 1024, "within the size limit");
        assert_eq!(posted(&app, &acme, body).await, StatusCode::BAD_REQUEST);
    }
    let reasons: Vec<(String, i32)> =
        sqlx::query_as("SELECT reason, length(body_excerpt) FROM malformed_calls ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .expect("malformed calls");
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    for (reason, excerpt) in &reasons {
        assert!(
            reason.starts_with("the body is not a Sinch delivery report: "),
            "a clear reason: {reason}"
        );
        let kept = i32::try_from(store::webhook_records::MALFORMED_EXCERPT_BYTES).expect("small");
        assert!(*excerpt <= kept, "only the start is kept: {excerpt}");
    }
    // Nesting is cut off at serde_json's depth limit, not followed to the end.
    assert!(
        reasons[2].0.contains("recursion limit exceeded"),
        "{reasons:?}"
    );
    // The next real report goes through as ever.
    let report = r#"{"type": "recipient_delivery_report_sms", "batch_id": "OK1", "recipient": "+447700900001", "code": 0, "status": "Delivered", "at": "2026-11-27T10:00:00Z", "client_reference": "$uid=u1"}"#;
    assert_eq!(posted(&app, &acme, report.to_owned()).await, StatusCode::OK);
    assert_eq!(app.count("reports").await, 1);
}

/// Streams `total` bytes of body in chunks, with no declared length, and answers the
/// status line the server sent (it may answer, and close, before the body ends).
async fn streamed(app: &TestApp, path: &str, headers: &str, total: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let host = app.address.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(host)
        .await
        .expect("connects");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.expect("sends");
    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
    for _ in 0..total / (64 * 1024) {
        // A server that has answered may stop reading: the rest is not needed.
        if socket.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = socket.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = socket.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[sqlx::test(migrations = false)]
async fn bodies_past_the_limit_are_refused_whether_declared_or_streamed(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let credentials = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", acme.username, acme.password))
    };
    // 8 MiB streamed to the webhook, no Content-Length to refuse it by.
    let webhook = streamed(
        &app,
        "/webhooks/sinch/ACME01",
        &format!("Authorization: Basic {credentials}\r\nContent-Type: application/json\r\n"),
        8 * 1024 * 1024,
    )
    .await;
    assert!(webhook.contains(" 413 "), "{webhook}");
    // And to the sign-in form, which needs a few hundred bytes.
    let sign_in = streamed(
        &app,
        "/auth/login",
        &format!(
            "Origin: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n",
            app.address
        ),
        8 * 1024 * 1024,
    )
    .await;
    assert!(sign_in.contains(" 413 "), "{sign_in}");
    assert_eq!(app.count("reports").await, 0);
    // The server carries on.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[sqlx::test(migrations = false)]
async fn failed_sign_ins_from_one_address_are_counted_past_the_first_few(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let visitor = app.visitor();
    for n in 0..12 {
        let email = format!("user{n}@example.com");
        visitor.sign_in_from(&email, "guess", "203.0.113.77").await;
        // As if each wait were over: the address's throttle is tested elsewhere.
        app.execute("UPDATE login_throttle SET blocked_until = now()")
            .await;
    }
    let entries: Vec<(Option<String>, serde_json::Value)> = sqlx::query_as(
        "SELECT target, after FROM audit_log WHERE action = 'sign_in_failed' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .expect("entries");
    let one_by_one = usize::try_from(store::audit::PER_ADDRESS).expect("small");
    assert_eq!(entries.len(), one_by_one + 1, "{entries:?}");
    for (n, (target, after)) in entries[..one_by_one].iter().enumerate() {
        assert_eq!(
            target.as_deref(),
            Some(format!("user{n}@example.com").as_str())
        );
        assert_eq!(after["reason"], "no such account");
    }
    let counted = &entries[one_by_one].1;
    assert_eq!(counted["attempts"], 12 - store::audit::PER_ADDRESS);
    assert_eq!(
        counted["accounts"],
        serde_json::json!([
            "user5@example.com",
            "user6@example.com",
            "user7@example.com",
            "user8@example.com",
            "user9@example.com"
        ]),
        "the first five accounts tried are named"
    );
}

#[sqlx::test(migrations = false)]
async fn failed_sign_ins_from_endless_addresses_add_a_bounded_number_of_entries(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let attempts = store::audit::ENTRIES_PER_HOUR + 100;
    for n in 0..attempts {
        let ip = format!("10.{}.{}.{}", n / 65536, (n / 256) % 256, n % 256);
        store::audit::record_failed_sign_in(
            &app.pool,
            "ana@example.com",
            "wrong password",
            Some(&ip),
        )
        .await
        .expect("recorded");
    }
    // Grouped by hour, since the run may cross one.
    let hours: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT count(*),
                (count(*) FILTER (WHERE NOT after ? 'attempts')
                 + coalesce(sum((after->>'attempts')::bigint), 0))::bigint
         FROM audit_log WHERE action = 'sign_in_failed'
         GROUP BY date_trunc('hour', at)",
    )
    .fetch_all(&app.pool)
    .await
    .expect("entries per hour");
    let bound = store::audit::ENTRIES_PER_HOUR + 1;
    assert!(
        hours.iter().all(|(entries, _)| *entries <= bound),
        "at most {bound} entries an hour: {hours:?}"
    );
    assert_eq!(
        hours.iter().map(|(_, attempts)| attempts).sum::<i64>(),
        attempts,
        "every attempt is counted: {hours:?}"
    );
    if hours.len() == 1 {
        assert_eq!(hours[0].0, bound, "the rest share one entry: {hours:?}");
    }
}
