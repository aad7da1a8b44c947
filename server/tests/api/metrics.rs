use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::TestApp;

/// The value of the reports counter for one tenant and outcome, if it was recorded.
fn reports_received(metrics: &str, tenant: &str, outcome: &str) -> Option<u64> {
    metrics
        .lines()
        .filter(|line| line.starts_with("dlrhub_reports_received_total{"))
        .find(|line| {
            line.contains(&format!("tenant=\"{tenant}\""))
                && line.contains(&format!("outcome=\"{outcome}\""))
        })
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

#[sqlx::test(migrations = false)]
async fn metrics_count_reports_by_tenant_and_outcome_and_time_them(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    // The recorder is shared by every test in this process: this workspace id is not.
    let tenant = app.tenant("METRICS01", true).await;
    let report = json!({
        "type": "recipient_delivery_report_sms", "batch_id": "B1", "recipient": "+4915112345678",
        "code": 0, "status": "Delivered", "at": "2024-05-01T10:00:00Z", "client_reference": "$uid=7" })
    .to_string();
    for body in [
        report.as_str(),
        report.as_str(),
        "{}",
        &report.replace("uid=7", "uid=0"),
    ] {
        app.post_report(&tenant, body).await;
    }

    let response = app.metrics().await;

    assert!(response.headers()["content-type"]
        .to_str()
        .expect("ASCII")
        .starts_with("text/plain"));
    let metrics = response.text().await.expect("a text body");
    assert_eq!(
        reports_received(&metrics, "METRICS01", "accepted"),
        Some(1),
        "{metrics}"
    );
    assert_eq!(
        reports_received(&metrics, "METRICS01", "duplicate"),
        Some(1)
    );
    assert_eq!(
        reports_received(&metrics, "METRICS01", "malformed"),
        Some(1)
    );
    assert_eq!(
        reports_received(&metrics, "METRICS01", "refused_uid"),
        Some(1)
    );
    assert!(
        metrics.contains("dlrhub_ingest_duration_seconds_bucket{le=\"0.005\"}"),
        "{metrics}"
    );
}
