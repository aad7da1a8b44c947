//! `GET /events.csv`: the explorer's current filter as a streamed CSV file.

use domain::access::Role;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{TestApp, Visitor};

fn report(batch: &str, to: &str, uid: &str) -> String {
    serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": batch, "recipient": to,
        "code": 0, "status": "Delivered", "at": "2026-11-27T10:00:00Z",
        "client_reference": format!("$uid={uid}$cat=otp"),
    })
    .to_string()
}

async fn csv(visitor: &Visitor, query: &str) -> (u16, String, String) {
    let response = visitor.get(&format!("/events.csv?{query}")).await;
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, response.text().await.expect("a body"))
}

fn column(body: &str, index: usize) -> Vec<String> {
    body.lines()
        .skip(1)
        .map(|line| {
            let field = line.split(',').nth(index).expect("a column");
            // Every field is quoted (none of these hold a comma or a quote).
            field.trim_matches('"').to_owned()
        })
        .collect()
}

#[sqlx::test(migrations = false)]
async fn the_export_holds_every_event_of_the_filter_and_no_other(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let beta = app.tenant("BETA02", true).await;
    for (batch, uid) in [("E1", "42"), ("E2", "=cmd"), ("E3", "42")] {
        let body = report(batch, "+447700900003", uid);
        assert_eq!(app.post_report(&acme, &body).await.status(), 200);
    }
    let other = report("X1", "+447700900009", "42");
    assert_eq!(app.post_report(&beta, &other).await.status(), 200);
    let support = app.signed_in(Role::Support, &[]).await;

    let (status, kind, body) = csv(&support, "tenant=ACME01").await;
    assert_eq!(status, 200, "{body}");
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert!(
        body.starts_with("time,tenant,event_id,event,uid,phone,"),
        "{body}"
    );
    assert_eq!(column(&body, 7), ["E3", "E2", "E1"], "newest first: {body}");
    assert_eq!(column(&body, 5), ["+447700900003"; 3]);
    assert!(body.contains(",\"'=cmd\","), "a formula is defused: {body}");
    let (_, _, by_uid) = csv(&support, "uid=42").await;
    assert_eq!(column(&by_uid, 7), ["X1", "E3", "E1"]);

    // A viewer gets their tenants only, numbers masked; bad filters are refused.
    let viewer = app.signed_in(Role::Viewer, &["ACME01"]).await;
    let (_, _, theirs) = csv(&viewer, "").await;
    assert_eq!(column(&theirs, 1), ["ACME01"; 3]);
    assert!(!theirs.contains("+447700900003"), "{theirs}");
    let (status, _, guessed) = csv(&viewer, "phone=%2B447700900003").await;
    assert_eq!(status, 400, "a viewer may not look a number up: {guessed}");
    assert!(guessed.contains("sees phone numbers masked"), "{guessed}");
    let (status, _, refused) = csv(&support, "event=bounced").await;
    assert_eq!(status, 400);
    assert!(
        refused.contains("event: `bounced` is not one of"),
        "{refused}"
    );
    let anonymous = app.visitor().get("/events.csv").await;
    assert_eq!(anonymous.status(), 303, "to the login page");
}

async fn progress(visitor: &Visitor, id: &str) -> serde_json::Value {
    let response = visitor.call("export_progress", &[("id", id)]).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("JSON")
}

#[sqlx::test(migrations = false)]
async fn a_large_export_streams_every_row_once_and_tells_its_user_how_far_it_got(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.tenant("ACME01", true).await;
    let acme = app.tenant_id("ACME01").await;
    // More than one of the export's pages.
    store::seed::reports(&app.pool, acme, 0, 4500, 2)
        .await
        .expect("seeded");
    let events = app.count("events").await;
    let support = app.signed_in(Role::Support, &[]).await;
    assert_eq!(
        progress(&support, "export-0001").await,
        serde_json::Value::Null
    );

    let (status, _, body) = csv(&support, "export=export-0001").await;
    assert_eq!(status, 200);
    let ids: std::collections::HashSet<String> = column(&body, 2).into_iter().collect();
    assert_eq!(ids.len(), body.lines().count() - 1, "no row twice");
    assert_eq!(
        body.lines().count() - 1,
        usize::try_from(events).expect("a count")
    );
    let done = progress(&support, "export-0001").await;
    assert_eq!(done["rows"], events, "{done}");
    assert_eq!(done["percent"], 100, "{done}");
    assert_eq!(done["finished"], true, "{done}");
    assert_eq!(done["failure"], serde_json::Value::Null, "{done}");
    assert!(
        done["reached"]
            .as_str()
            .is_some_and(|at| at.ends_with(" UTC")),
        "{done}"
    );

    // Nobody else reads it; reusing an id still gives the file but leaves the first
    // export's progress as it was; an id that is not one is refused.
    let other = app.signed_in(Role::Support, &[]).await;
    assert_eq!(
        progress(&other, "export-0001").await,
        serde_json::Value::Null
    );
    let (status, _, again) = csv(&support, "tenant=ACME01&export=export-0001").await;
    assert_eq!(status, 200, "the file still comes");
    assert_eq!(again.lines().count(), body.lines().count());
    assert_eq!(progress(&support, "export-0001").await["rows"], events);
    let (status, _, refused) = csv(&support, "export=a%20b").await;
    assert_eq!(status, 400);
    assert!(refused.contains("export: an id is"), "{refused}");
}

#[sqlx::test(migrations = false)]
async fn a_cancelled_download_shows_as_cancelled(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.tenant("ACME01", true).await;
    let acme = app.tenant_id("ACME01").await;
    // Far more than the connection's buffers hold, so the export is still writing when
    // the reader goes.
    store::seed::reports(&app.pool, acme, 0, 60_000, 2)
        .await
        .expect("seeded");
    let support = app.signed_in(Role::Support, &[]).await;

    let mut response = support.get("/events.csv?export=export-cancel").await;
    assert_eq!(response.status(), 200);
    let first = response.chunk().await.expect("a chunk");
    assert!(first.is_some_and(|chunk| chunk.starts_with(b"time,")));
    drop(response);
    let mut seen = serde_json::Value::Null;
    for _ in 0..500 {
        seen = progress(&support, "export-cancel").await;
        if seen["finished"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(seen["failure"], "the download was cancelled", "{seen}");
    let rows = seen["rows"].as_i64().expect("rows");
    assert!(rows < app.count("events").await, "stopped part way: {seen}");
    assert!(seen["percent"].as_u64().is_some_and(|p| p < 100), "{seen}");
}
