use axum::body::Bytes;
use domain::SinchReport;
use serde_json::json;
use server::workers::ingest_writer::{IngestWriter, SubmitError, WriterSettings};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use store::ingest::IngestOutcome;
use store::tenants::TenantId;

use crate::helpers::TestApp;

fn report(batch_id: &str) -> (Bytes, SinchReport) {
    let body = json!({
        "type": "recipient_delivery_report_sms", "batch_id": batch_id, "recipient": "+4915112345678",
        "code": 0, "status": "Delivered", "at": "2024-05-01T10:00:00Z", "client_reference": "$uid=7" })
    .to_string();
    let report = SinchReport::from_json(body.as_bytes()).expect("a valid report");
    (Bytes::from(body), report)
}

#[sqlx::test(migrations = false)]
async fn a_report_that_cannot_be_stored_does_not_fail_the_others_committed_with_it(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.tenant("ACME01", true).await;
    let tenant: i64 = sqlx::query_scalar("SELECT id FROM tenants")
        .fetch_one(&app.pool)
        .await
        .expect("a tenant");
    let writer = IngestWriter::start(
        app.pool.clone(),
        WriterSettings {
            writers: 1,
            queue: 64,
            max_batch: 64,
        },
        Default::default(),
    );
    // A tenant id that does not exist: its report breaks a foreign key when stored.
    let submissions = (0..30).map(|i| {
        let (body, report) = report(&format!("B{i}"));
        let owner = if i == 7 {
            TenantId(-1)
        } else {
            TenantId(tenant)
        };
        writer.submit(owner, body, report)
    });

    let outcomes = futures::future::join_all(submissions).await;

    for (i, outcome) in outcomes.iter().enumerate() {
        match (i, outcome) {
            (7, Err(SubmitError::Database(_))) => {}
            (7, other) => panic!("the orphan report should fail, got {other:?}"),
            (_, Ok(IngestOutcome::Accepted { enqueued: 1, .. })) => {}
            (_, other) => panic!("report {i} should be stored, got {other:?}"),
        }
    }
    assert_eq!(app.count("reports").await, 29);
    assert_eq!(app.count("events").await, 29);
}

#[sqlx::test(migrations = false)]
async fn a_report_with_a_nul_character_is_refused_as_malformed_not_retried(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    let acme = app.tenant("ACME01", true).await;
    let body = r#"{ "type": "recipient_delivery_report_sms", "batch_id": "a\u0000b", "recipient": "+4915112345678",
                    "code": 0, "status": "Delivered", "at": "2024-05-01T10:00:00Z", "client_reference": "$uid=7$x=%00" }"#;

    let response = app.post_report(&acme, body).await;

    assert_eq!(response.status(), reqwest::StatusCode::BAD_REQUEST);
    assert_eq!(app.count("malformed_calls").await, 1);
}
