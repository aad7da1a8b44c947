//! `GET /healthz`: the process answers. `GET /readyz`: it can do its work (the database is
//! reachable and carries this build's schema), so a load balancer may send it traffic.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use store::{PgPool, SchemaStatusError};

/// A readiness probe must answer promptly even when the database hangs.
const READINESS_TIMEOUT: Duration = Duration::from_secs(3);

pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Answers the readiness check, and keeps its result as the `dlrhub_ready` gauge for
/// alerting.
pub async fn readyz(State(pool): State<PgPool>) -> Response {
    let answer = readiness(&pool).await;
    let ready = if answer.status().is_success() {
        1.0
    } else {
        0.0
    };
    metrics::gauge!(crate::telemetry::metrics::READY).set(ready);
    answer
}

async fn readiness(pool: &PgPool) -> Response {
    match tokio::time::timeout(READINESS_TIMEOUT, store::schema_status(pool)).await {
        Ok(Ok(status)) if status.is_current() => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "schema_version": status.expected_version })),
        )
            .into_response(),
        Ok(Ok(status)) => not_ready(format!(
            "database migrations {:?} are not applied; run `dlrhub migrate`",
            status.pending
        )),
        Ok(Err(error)) => {
            tracing::warn!(error = &error as &dyn std::error::Error, "not ready");
            not_ready(match error {
                SchemaStatusError::Unreachable(_) => "the database is unreachable".to_owned(),
                SchemaStatusError::NeverMigrated => error.to_string(),
            })
        }
        Err(_elapsed) => not_ready(format!(
            "the database did not answer within {} s",
            READINESS_TIMEOUT.as_secs()
        )),
    }
}

fn not_ready(reason: String) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "unavailable", "reason": reason })),
    )
        .into_response()
}
