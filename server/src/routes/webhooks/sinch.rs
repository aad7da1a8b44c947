//! `POST /webhooks/sinch/{app_key}`: Sinch delivery reports for one MoEngage workspace.
//!
//! A 2xx means the report is committed. Answers follow how Sinch treats them: 5xx (and 429)
//! are retried for about 23 hours, any other 4xx drops the report. So a well-formed report
//! whose uid is unusable still gets 200 (it is stored as rejected), and only the database
//! being unavailable answers 503.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use domain::{AppKey, SinchReport};
use serde_json::{json, Value};
use store::ingest::IngestOutcome;
use store::tenants::Tenant;
use store::webhook_records::{self, MalformedCall, RefusalReason};
use store::PgPool;

use super::error::WebhookError;
use super::{basic_auth, signature};
use crate::routes::metrics::{INGEST_DURATION, REPORTS_RECEIVED};
use crate::startup::AppState;
use crate::workers::ingest_writer::SubmitError;

/// Sinch's reports are a few KB; a full batch report for a large batch is the biggest.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The longest a call may take, database lookups and commit included. Far longer than a
/// healthy call, short enough that an unavailable database answers 503 (which Sinch
/// retries) instead of hanging; idempotent ingestion makes the retry safe even if the
/// commit landed after all.
const CALL_TIMEOUT: Duration = Duration::from_secs(3);

#[tracing::instrument(skip_all, fields(app_key = %raw_app_key))]
pub async fn receive(
    State(state): State<AppState>,
    Path(raw_app_key): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), WebhookError> {
    let started = Instant::now();
    let outcome = tokio::time::timeout(CALL_TIMEOUT, handle(&state, &raw_app_key, &headers, body))
        .await
        .unwrap_or(Err(WebhookError::TimedOut));
    record_metrics(&raw_app_key, &outcome, started);
    outcome.map(|outcome| (StatusCode::OK, Json(answer(&outcome))))
}

async fn handle(
    state: &AppState,
    raw_app_key: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<IngestOutcome, WebhookError> {
    let tenant = authorise(state, raw_app_key, headers).await?;
    let body = match check_body(headers, body) {
        Ok(body) => body,
        Err((error, bytes)) => {
            return Err(record_malformed(&state.pool, &tenant, headers, error, &bytes).await)
        }
    };
    check_signature(state, &tenant, headers, &body).await?;
    let report = match SinchReport::from_json(&body) {
        Ok(report) => report,
        Err(error) => {
            return Err(record_malformed(&state.pool, &tenant, headers, error.into(), &body).await)
        }
    };
    match state.ingest.submit(tenant.id, body, report).await {
        Ok(outcome) => Ok(outcome),
        Err(SubmitError::Busy) => Err(WebhookError::Busy),
        Err(error @ (SubmitError::Stopped | SubmitError::Database(_))) => {
            Err(WebhookError::Unavailable(anyhow::Error::new(error)))
        }
    }
}

/// Counts the call by tenant and outcome and records how long it took. Calls for
/// workspaces that are not registered share one empty tenant label, so that made-up ids
/// cannot grow the number of series without bound.
fn record_metrics(
    raw_app_key: &str,
    outcome: &Result<IngestOutcome, WebhookError>,
    started: Instant,
) {
    let (outcome, registered) = match outcome {
        Ok(IngestOutcome::Accepted { .. }) => ("accepted", true),
        Ok(IngestOutcome::Duplicate) => ("duplicate", true),
        Ok(IngestOutcome::Rejected(rejection)) => (rejection.code(), true),
        Err(error) => (error.outcome(), error.status() != StatusCode::NOT_FOUND),
    };
    let tenant = if registered {
        raw_app_key.to_owned()
    } else {
        String::new()
    };
    metrics::counter!(REPORTS_RECEIVED, "tenant" => tenant, "outcome" => outcome).increment(1);
    metrics::histogram!(INGEST_DURATION).record(started.elapsed().as_secs_f64());
}

/// Finds the tenant and checks that the integration is on and the caller is Sinch.
async fn authorise(
    state: &AppState,
    raw_app_key: &str,
    headers: &HeaderMap,
) -> Result<Arc<Tenant>, WebhookError> {
    let AppState {
        pool,
        cipher,
        tenants,
        ..
    } = state;
    let app_key = AppKey::parse(raw_app_key)
        .map_err(|_| WebhookError::InvalidAppKey(raw_app_key.to_owned()))?;
    let key = app_key.as_str();
    let refuse = |reason: RefusalReason, error: WebhookError| async move {
        count_refusal(pool, key, reason).await;
        error
    };
    let Some(tenant) = tenants
        .find(&app_key)
        .await
        .map_err(|e| WebhookError::Unavailable(e.into()))?
    else {
        return Err(refuse(
            RefusalReason::UnknownTenant,
            WebhookError::UnknownTenant(app_key.to_string()),
        )
        .await);
    };
    if !tenant.integration_enabled {
        return Err(refuse(
            RefusalReason::Disabled,
            WebhookError::Disabled(app_key.to_string()),
        )
        .await);
    }
    let credentials = tenant.callback_credentials(cipher).map_err(|e| {
        WebhookError::Unexpected(anyhow::Error::new(e).context("opening the callback password"))
    })?;
    if !basic_auth::presents(headers, &credentials.username, &credentials.password) {
        return Err(refuse(RefusalReason::Unauthorized, WebhookError::Unauthorized).await);
    }
    Ok(tenant)
}

/// For tenants with a signing secret, the body must carry Sinch's valid signature.
async fn check_signature(
    state: &AppState,
    tenant: &Tenant,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), WebhookError> {
    let secret = tenant.hmac_secret(&state.cipher).map_err(|e| {
        WebhookError::Unexpected(anyhow::Error::new(e).context("opening the HMAC secret"))
    })?;
    let Some(secret) = secret else {
        return Ok(());
    };
    if let Err(error) = signature::verify(headers, body, &secret) {
        count_refusal(
            &state.pool,
            tenant.app_key.as_str(),
            RefusalReason::Unauthorized,
        )
        .await;
        return Err(error.into());
    }
    Ok(())
}

async fn count_refusal(pool: &PgPool, app_key: &str, reason: RefusalReason) {
    if let Err(error) = webhook_records::count_refused(pool, app_key, reason).await {
        tracing::warn!(
            error = &error as &dyn std::error::Error,
            "could not count a refused call"
        );
    }
}

/// A JSON body within the size limit, or the error with whatever bytes arrived.
fn check_body(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Bytes, (WebhookError, Bytes)> {
    let body = body.map_err(|rejection| {
        let error = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebhookError::PayloadTooLarge(MAX_BODY_BYTES)
        } else {
            WebhookError::UnreadableBody(rejection.body_text())
        };
        (error, Bytes::new())
    })?;
    if !is_json(headers) {
        return Err((WebhookError::UnsupportedMediaType, body));
    }
    Ok(body)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim();
            mime.eq_ignore_ascii_case("application/json")
                || mime.to_ascii_lowercase().ends_with("+json")
        })
}

/// Keeps what arrived so support can see it, and returns the error to answer with.
async fn record_malformed(
    pool: &PgPool,
    tenant: &Tenant,
    headers: &HeaderMap,
    error: WebhookError,
    body: &[u8],
) -> WebhookError {
    let reason = error.to_string();
    let call = MalformedCall {
        status_code: error.status().as_u16(),
        reason: &reason,
        content_type: headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()),
        body,
        declared_len: headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok()),
    };
    if let Err(record_error) = webhook_records::record_malformed(pool, tenant.id, call).await {
        tracing::warn!(
            error = &record_error as &dyn std::error::Error,
            "could not record a malformed call"
        );
    }
    error
}

fn answer(outcome: &IngestOutcome) -> Value {
    match outcome {
        IngestOutcome::Accepted {
            enqueued,
            suppressed,
        } => {
            json!({ "status": "accepted", "events_enqueued": enqueued, "events_suppressed": suppressed })
        }
        IngestOutcome::Duplicate => json!({ "status": "duplicate" }),
        IngestOutcome::Rejected(rejection) => {
            json!({ "status": "rejected", "reason": rejection.code(), "message": rejection.to_string() })
        }
    }
}
