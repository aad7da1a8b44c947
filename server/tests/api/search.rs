//! The top bar's search: one text as a uid, a phone number and a batch id at once.

use domain::access::Role;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{TestApp, TestTenant, Visitor};

async fn report(app: &TestApp, tenant: &TestTenant, batch: &str, to: &str, uid: &str) {
    let body = serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": batch, "recipient": to,
        "code": 0, "status": "Delivered", "at": "2026-11-27T10:00:00Z",
        "client_reference": format!("$uid={uid}$cat=otp"),
    })
    .to_string();
    assert_eq!(app.post_report(tenant, &body).await.status(), 200);
}

async fn search(visitor: &Visitor, text: &str, status: u16) -> Value {
    let response = visitor.call("global_search", &[("text", text)]).await;
    let got = response.status().as_u16();
    let body = response.text().await.expect("a body");
    assert_eq!(got, status, "{body}");
    serde_json::from_str(&body).unwrap_or(Value::String(body))
}

/// Each reading that found something: (field, value, batch ids shown, more).
fn readings(found: &Value) -> Vec<(String, String, Vec<String>, bool)> {
    found["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .map(|reading| {
            let batches = reading["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .map(|row| row["batch_id"].as_str().expect("a batch").to_owned())
                .collect();
            (
                reading["field"].as_str().expect("a field").to_owned(),
                reading["value"].as_str().expect("a value").to_owned(),
                batches,
                reading["more"].as_bool().expect("more"),
            )
        })
        .collect()
}

fn reading(
    field: &str,
    value: &str,
    batches: &[&str],
    more: bool,
) -> (String, String, Vec<String>, bool) {
    (
        field.to_owned(),
        value.to_owned(),
        batches.iter().map(|b| (*b).to_owned()).collect(),
        more,
    )
}

#[sqlx::test(migrations = false)]
async fn one_text_is_looked_up_as_uid_phone_and_batch(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let beta = app.tenant("BETA02", true).await;
    report(&app, &acme, "B-1", "+447700900003", "42").await;
    report(&app, &beta, "B-2", "+447700900003", "42").await;
    // A batch id that is also someone's uid.
    report(&app, &acme, "twin", "+447700900004", "7").await;
    report(&app, &acme, "B-3", "+447700900005", "twin").await;
    for n in 0..6 {
        report(&app, &acme, &format!("M-{n}"), "+447700900006", "many").await;
    }
    let support = app.signed_in(Role::Support, &[]).await;

    let by_uid = search(&support, " 42 ", 200).await;
    assert_eq!(by_uid["text"], "42");
    assert_eq!(
        readings(&by_uid),
        [reading("uid", "42", &["B-2", "B-1"], false)]
    );
    // A phone number is found however it is typed.
    let by_phone = search(&support, "+44 7700 900003", 200).await;
    assert_eq!(
        readings(&by_phone),
        [reading("phone", "+447700900003", &["B-2", "B-1"], false)]
    );
    let both = search(&support, "twin", 200).await;
    assert_eq!(
        readings(&both),
        [
            reading("uid", "twin", &["B-3"], false),
            reading("batch", "twin", &["twin"], false)
        ]
    );
    let many = search(&support, "many", 200).await;
    assert_eq!(
        readings(&many),
        [reading(
            "uid",
            "many",
            &["M-5", "M-4", "M-3", "M-2", "M-1"],
            true
        )]
    );
    assert_eq!(readings(&search(&support, "nobody", 200).await), []);
    assert_eq!(readings(&search(&support, "", 200).await), []);
    let refused = search(&support, &"x".repeat(257), 422).await;
    assert!(
        refused.to_string().contains("at most 256 characters"),
        "{refused}"
    );

    assert_eq!(by_phone["phone_withheld"], false);

    // A viewer finds their tenants' events only, numbers masked, and cannot confirm a
    // full number by searching for it: a phone number is looked up as a uid and a batch
    // id only, and the answer says so.
    let viewer = app.signed_in(Role::Viewer, &["ACME01"]).await;
    let theirs = search(&viewer, "42", 200).await;
    assert_eq!(readings(&theirs), [reading("uid", "42", &["B-1"], false)]);
    assert_eq!(theirs["matches"][0]["rows"][0]["phone"], "+447•••••••03");
    assert_eq!(theirs["phone_withheld"], false);
    let guessed = search(&viewer, "+447700900003", 200).await;
    assert_eq!(readings(&guessed), []);
    assert_eq!(guessed["phone_withheld"], true);
}
