//! The event explorer's list: filters, keyset pages, and the user's tenant scope.

use std::collections::HashSet;

use domain::access::Role;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{eventually, TestApp, Visitor};

fn report(batch: &str, to: &str, status: &str, uid: &str) -> String {
    let code = match status {
        "Dispatched" => 401,
        "Failed" => 404,
        _ => 0,
    };
    serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": batch, "recipient": to,
        "code": code, "status": status, "at": "2026-11-27T10:00:00Z",
        "client_reference": format!("$uid={uid}$cat=otp"),
    })
    .to_string()
}

async fn list(visitor: &Visitor, filters: &[(&str, &str)]) -> Value {
    with_query(visitor, "list_events", filters).await
}

/// The filter bar: the tenants to choose from and the counts per value.
async fn options(visitor: &Visitor, filters: &[(&str, &str)]) -> Value {
    with_query(visitor, "event_filter_options", filters).await
}

async fn with_query(visitor: &Visitor, endpoint: &str, filters: &[(&str, &str)]) -> Value {
    // The server function needs its argument even when no filter is given.
    let mut args: Vec<(String, &str)> = Vec::new();
    if filters.is_empty() {
        args.push(("query[tenant]".to_owned(), ""));
    }
    args.extend(
        filters
            .iter()
            .map(|(name, value)| (format!("query[{name}]"), *value)),
    );
    let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let response = visitor.call(endpoint, &args).await;
    let status = response.status();
    let body = response.text().await.expect("a body");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

fn batches(list: &Value) -> Vec<String> {
    list["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row["batch_id"].as_str().expect("batch").to_owned())
        .collect()
}

#[sqlx::test(migrations = false)]
async fn events_are_filtered_within_the_users_tenants(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let beta = app.tenant("BETA02", true).await;
    for body in [
        report("a-1", "+447700900001", "Delivered", "42"),
        report("a-2", "+447700900002", "Dispatched", "43"),
        report("a-3", "+447700900003", "Failed", "42"),
    ] {
        assert_eq!(app.post_report(&acme, &body).await.status(), 200);
    }
    let other = report("b-1", "+447700900009", "Delivered", "42");
    assert_eq!(app.post_report(&beta, &other).await.status(), 200);
    let support = app.signed_in(Role::Support, &[]).await;

    let all = list(&support, &[]).await;
    assert_eq!(batches(&all), ["b-1", "a-3", "a-2", "a-1"], "newest first");
    assert_eq!(
        batches(&list(&support, &[("tenant", "ACME01")]).await),
        ["a-3", "a-2", "a-1"]
    );
    assert_eq!(
        batches(&list(&support, &[("event", "delivery_failed")]).await),
        ["a-3"]
    );
    assert_eq!(
        batches(&list(&support, &[("uid", "42"), ("tenant", "ACME01")]).await),
        ["a-3", "a-1"]
    );
    // A phone number is found however it is typed.
    assert_eq!(
        batches(&list(&support, &[("phone", "44 7700 900002")]).await),
        ["a-2"]
    );
    assert_eq!(
        batches(&list(&support, &[("state", "pending"), ("code", "0")]).await),
        ["b-1", "a-1"]
    );
    let future = list(&support, &[("from", "2099-01-01T00:00")]).await;
    assert_eq!(batches(&future), Vec::<String>::new());

    let wrong = list(
        &support,
        &[
            ("event", "opened"),
            ("phone", "not a number"),
            ("from", "yesterday"),
        ],
    )
    .await;
    let problems = wrong["problems"].to_string();
    for field in ["event:", "phone:", "from:"] {
        assert!(problems.contains(field), "{problems}");
    }
    assert_eq!(batches(&wrong), Vec::<String>::new());

    // A viewer of ACME01 sees its events only, with phone numbers masked, and BETA02 does
    // not exist for them.
    let viewer = app.signed_in(Role::Viewer, &["ACME01"]).await;
    let theirs = list(&viewer, &[]).await;
    assert_eq!(batches(&theirs), ["a-3", "a-2", "a-1"]);
    assert_eq!(theirs["rows"][0]["phone"], "+447•••••••03");
    assert_eq!(
        options(&viewer, &[]).await["tenants"],
        serde_json::json!([["ACME01", "ACME01 (test)"]])
    );
    // Masked numbers are not to be confirmed by trying candidates: a viewer's phone
    // filter is refused, in the list and in the filter bar's counts alike.
    let guessed = list(&viewer, &[("phone", "+447700900003")]).await;
    assert_eq!(batches(&guessed), Vec::<String>::new());
    assert!(
        guessed["problems"]
            .to_string()
            .contains("your role sees phone numbers masked"),
        "{guessed}"
    );
    let counted = options(&viewer, &[("phone", "+447700900003")]).await;
    assert_eq!(
        counted["counts"]["kinds"],
        serde_json::json!([]),
        "{counted}"
    );
    let refused = list(&viewer, &[("tenant", "BETA02")]).await;
    assert_eq!(batches(&refused), Vec::<String>::new());
    assert!(
        refused["problems"]
            .to_string()
            .contains("no tenant has the workspace id"),
        "{refused}"
    );
}

#[sqlx::test(migrations = false)]
async fn a_batch_shows_each_of_its_messages_events_and_only_the_tenants_own(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let beta = app.tenant("BETA02", true).await;
    // Batch B1 of ACME01: one message Dispatched then Delivered, another Failed; BETA02
    // has a batch of the same name, and ACME01 another batch.
    for body in [
        report("B1", "+447700900001", "Dispatched", "42"),
        report("B1", "+447700900001", "Delivered", "42"),
        report("B1", "+447700900002", "Failed", "43"),
        report("B2", "+447700900003", "Delivered", "44"),
    ] {
        assert_eq!(app.post_report(&acme, &body).await.status(), 200);
    }
    let twin = report("B1", "+447700900009", "Delivered", "45");
    assert_eq!(app.post_report(&beta, &twin).await.status(), 200);

    let support = app.signed_in(Role::Support, &[]).await;
    let batch_and_uid = |list: &Value| -> Vec<(String, String)> {
        list["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|row| {
                (
                    row["batch_id"].as_str().expect("batch").to_owned(),
                    row["uid"].as_str().expect("uid").to_owned(),
                )
            })
            .collect()
    };
    let acme_b1 = list(&support, &[("tenant", "ACME01"), ("batch", "B1")]).await;
    assert_eq!(
        batch_and_uid(&acme_b1),
        [
            ("B1".into(), "43".into()),
            ("B1".into(), "42".into()),
            ("B1".into(), "42".into())
        ],
        "the batch's three events, newest first: {acme_b1}"
    );
    let every_b1 = list(&support, &[("batch", "B1")]).await;
    assert_eq!(batches(&every_b1).len(), 4, "BETA02's B1 too: {every_b1}");
    let viewer = app.signed_in(Role::Viewer, &["BETA02"]).await;
    assert_eq!(
        batch_and_uid(&list(&viewer, &[("batch", "B1")]).await),
        [("B1".into(), "45".into())],
        "a viewer of BETA02 sees its own B1 only"
    );
    assert_eq!(
        batches(&list(&support, &[("batch", "B1"), ("event", "delivery_failed")]).await),
        ["B1"],
        "with another filter"
    );
    assert_eq!(
        batches(&list(&support, &[("batch", "B3")]).await),
        Vec::<String>::new()
    );
}

#[sqlx::test(migrations = false)]
async fn pages_of_fifty_walk_every_event_once(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.tenant("SEED01", true).await;
    let tenant = app.tenant_id("SEED01").await;
    store::seed::reports(&app.pool, tenant, 0, 130, 1)
        .await
        .expect("seeds");
    let total = app.count("events").await;
    let admin = app.admin().await;

    let mut seen = HashSet::new();
    let mut pages = 0;
    let mut before = String::new();
    loop {
        let page = list(&admin, &[("before", &before)]).await;
        pages += 1;
        let rows = page["rows"].as_array().expect("rows");
        assert!(rows.len() <= 50);
        for row in rows {
            assert!(seen.insert(row["id"].as_i64().expect("id")), "listed twice");
        }
        match page["older"].as_str() {
            Some(cursor) => before = cursor.to_owned(),
            None => break,
        }
    }
    assert_eq!(i64::try_from(seen.len()).expect("small"), total);
    assert_eq!(pages, (total + 49) / 50);
}

#[sqlx::test(migrations = false)]
async fn each_filter_value_shows_how_many_it_finds(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let beta = app.tenant("BETA02", true).await;
    for body in [
        report("c-1", "+447700900001", "Delivered", "42"),
        report("c-2", "+447700900002", "Dispatched", "43"),
        report("c-3", "+447700900003", "Failed", "42"),
    ] {
        assert_eq!(app.post_report(&acme, &body).await.status(), 200);
    }
    let other = report("d-1", "+447700900009", "Delivered", "42");
    assert_eq!(app.post_report(&beta, &other).await.status(), 200);
    let support = app.signed_in(Role::Support, &[]).await;

    let pairs = |counts: &Value, of: &str| -> Vec<(String, i64)> {
        let mut pairs: Vec<(String, i64)> = counts[of]
            .as_array()
            .expect("counts")
            .iter()
            .map(|pair| {
                let value = pair[0].as_str().expect("a value").to_owned();
                (value, pair[1].as_i64().expect("a count"))
            })
            .collect();
        pairs.sort();
        pairs
    };
    eventually("the hour is rolled up", || async {
        let counts = &options(&support, &[]).await["counts"];
        pairs(counts, "tenants").iter().map(|p| p.1).sum::<i64>() == 4
    })
    .await;
    let counts = options(&support, &[]).await["counts"].clone();
    let owned = |list: &[(&str, i64)]| -> Vec<(String, i64)> {
        list.iter().map(|(v, n)| ((*v).to_owned(), *n)).collect()
    };
    assert_eq!(
        pairs(&counts, "tenants"),
        owned(&[("ACME01", 3), ("BETA02", 1)])
    );
    assert_eq!(
        pairs(&counts, "kinds"),
        owned(&[("delivered", 2), ("delivery_failed", 1), ("sent", 1)])
    );
    assert_eq!(pairs(&counts, "categories"), owned(&[("otp", 4)]));
    assert_eq!(
        pairs(&counts, "states"),
        owned(&[("pending", 4)]),
        "nothing forwards here"
    );
    assert_eq!(counts["period"], "the last 7 days");
    // Within one tenant, only its events count.
    let acme_only = options(&support, &[("tenant", "ACME01")]).await["counts"].clone();
    assert_eq!(pairs(&acme_only, "tenants"), owned(&[("ACME01", 3)]));
    assert_eq!(pairs(&acme_only, "states"), owned(&[("pending", 3)]));
}
