//! The rejected reports page ("uid hygiene"): what each tenant's Sinch traffic gets wrong.

use domain::access::Role;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{eventually, TestApp};

fn report(batch: &str, client_reference: &str) -> String {
    serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": batch, "recipient": "+447700900001",
        "code": 0, "status": "Delivered", "at": "2026-11-27T10:00:00Z",
        "client_reference": client_reference,
    })
    .to_string()
}

#[sqlx::test(migrations = false)]
async fn rejections_are_grouped_by_reason_with_examples_and_a_note_for_the_customer(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    app.tenant("BETA02", true).await;
    for (batch, reference) in [
        ("R1", "$cat=otp"),
        ("R2", "$cat=otp"),
        ("R3", "$uid=unknown$cat=otp"),
        ("R4", "$uid=42$cat=otp"),
    ] {
        assert_eq!(
            app.post_report(&acme, &report(batch, reference))
                .await
                .status(),
            200
        );
    }
    assert_eq!(app.post_report(&acme, "{\"type\": ").await.status(), 400);
    eventually("the malformed call is recorded", || async {
        app.count("malformed_calls").await == 1
    })
    .await;
    let support = app.signed_in(Role::Support, &[]).await;

    let response = support.call("rejected_reports", &[]).await;
    assert_eq!(response.status(), 200);
    let tenants: Value = response.json().await.expect("JSON");
    let tenants = tenants.as_array().expect("tenants");
    assert_eq!(tenants.len(), 1, "BETA02 refused nothing: {tenants:?}");
    assert_eq!(tenants[0]["app_key"], "ACME01");
    let reasons: Vec<(&str, i64)> = tenants[0]["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| {
            (
                r["code"].as_str().expect("code"),
                r["total"].as_i64().expect("total"),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [("missing_uid", 2), ("refused_uid", 1), ("malformed", 1)]
    );
    let missing = &tenants[0]["reasons"][0];
    assert_eq!(missing["samples"][0]["value"], "$cat=otp");
    assert_eq!(missing["samples"][0]["count"], 2);
    let days = missing["days"].as_array().expect("days");
    assert_eq!(days.len(), 7);
    assert_eq!(days[6][1], 2, "both today, the last day: {days:?}");
    let advice = missing["advice"].as_str().expect("advice");
    assert!(advice.contains("2 delivery reports"), "{advice}");
    assert!(advice.contains("$uid=<MoEngage customer_id>"), "{advice}");
    assert!(advice.contains("\"$cat=otp\" (2 times)"), "{advice}");

    // A viewer of BETA02 sees none of ACME's.
    let viewer = app.signed_in(Role::Viewer, &["BETA02"]).await;
    let theirs: Value = viewer
        .call("rejected_reports", &[])
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(theirs, Value::Array(Vec::new()));
}

/// A malformed call's excerpt and a refusal's error text can quote a recipient; a viewer
/// reads them with the digits masked, support in full.
#[sqlx::test(migrations = false)]
async fn a_viewer_reads_excerpts_and_errors_with_numbers_masked(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    // A recipient sent as a JSON number: not a report dlrhub can read.
    let body = r#"{"type": "recipient_delivery_report_sms", "batch_id": "M1", "recipient": 46701234567, "code": 0, "status": "Delivered", "at": "2026-11-27T10:00:00Z"}"#;
    assert_eq!(app.post_report(&acme, body).await.status(), 400);
    eventually("the malformed call is recorded", || async {
        app.count("malformed_calls").await == 1
    })
    .await;
    let sample = |tenants: Value| {
        let sample = tenants[0]["reasons"][0]["samples"][0].clone();
        (
            sample["value"].as_str().expect("an excerpt").to_owned(),
            sample["detail"].as_str().expect("a detail").to_owned(),
        )
    };
    let rejected = |role, tenants: &'static [&'static str]| {
        let app = &app;
        async move {
            let visitor = app.signed_in(role, tenants).await;
            let response = visitor.call("rejected_reports", &[]).await;
            assert_eq!(response.status(), 200);
            sample(response.json().await.expect("JSON"))
        }
    };

    let (excerpt, detail) = rejected(Role::Support, &[]).await;
    assert!(
        excerpt.contains("46701234567"),
        "support reads it all: {excerpt}"
    );
    assert!(detail.contains("46701234567"), "{detail}");

    let (excerpt, detail) = rejected(Role::Viewer, &["ACME01"]).await;
    for text in [&excerpt, &detail] {
        assert!(!text.contains("4670123"), "masked for a viewer: {text}");
        assert!(text.contains("•••67"), "the last digits stay: {text}");
    }
    assert!(
        excerpt.contains("2026-11-27T10:00:00Z"),
        "dates stay: {excerpt}"
    );
}
