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

use super::basic_auth;
use super::error::WebhookError;
use crate::state::{AppState, Shared};
use crate::telemetry::metrics::{INGEST_DURATION, REPORTS_RECEIVED};
use crate::workers::ingest_writer::SubmitError;

/// Sinch's reports are a few KB; a full batch report for a large batch is the biggest.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The longest a call may take, database lookups and commit included. Far longer than a
/// healthy call, short enough that an unavailable database answers 503 (which Sinch
/// retries) instead of hanging; idempotent ingestion makes the retry safe even if the
/// commit landed after all.
const CALL_TIMEOUT: Duration = Duration::from_secs(3);

// Debug formatting escapes what a path segment may hold (newlines, quotes) in the logs.
#[tracing::instrument(skip_all, fields(app_key = ?raw_app_key))]
pub async fn receive(
    State(state): State<AppState>,
    Path(raw_app_key): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), WebhookError> {
    let started = Instant::now();
    let mut matched = None;
    let outcome = tokio::time::timeout(
        CALL_TIMEOUT,
        handle(&state, &raw_app_key, &headers, body, &mut matched),
    )
    .await
    .unwrap_or(Err(WebhookError::TimedOut));
    record_metrics(matched.as_ref(), &outcome, started);
    outcome.map(|outcome| (StatusCode::OK, Json(answer(&outcome))))
}

/// The checks in the order that tells a caller nothing it has no right to know: the
/// workspace id (404 for one no tenant has: customer success needs it), the credentials
/// (401 whatever the integration's state), the signature over the body (an unsigned or
/// wrongly signed body is never stored), then the integration's state and the body itself.
async fn handle(
    state: &AppState,
    raw_app_key: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    matched: &mut Option<AppKey>,
) -> Result<IngestOutcome, WebhookError> {
    let tenant = authenticate(state, raw_app_key, headers).await?;
    *matched = Some(tenant.app_key.clone());
    let body = match read_body(body) {
        Ok(body) => body,
        // A body too large or unreadable cannot be checked against a signature.
        Err(error) if tenant.has_hmac_secret => return Err(error),
        Err(error) => return Err(record_malformed(&state.pool, &tenant, headers, error, &[]).await),
    };
    check_signature(state, &tenant, headers, &body).await?;
    if !tenant.integration_enabled {
        state.refused_calls.called(
            &state.pool,
            tenant.app_key.as_str(),
            RefusalReason::Disabled,
        );
        return Err(WebhookError::Disabled(tenant.app_key.to_string()));
    }
    if !is_json(headers) {
        let error = WebhookError::UnsupportedMediaType;
        return Err(record_malformed(&state.pool, &tenant, headers, error, &body).await);
    }
    let report = match SinchReport::from_json(&body) {
        Ok(report) => report,
        Err(error) => {
            return Err(record_malformed(&state.pool, &tenant, headers, error.into(), &body).await)
        }
    };
    match state.intake.ingest.submit(tenant.id, body, report).await {
        Ok(outcome) => Ok(outcome),
        Err(SubmitError::Busy) => Err(WebhookError::Busy),
        Err(error @ (SubmitError::Stopped | SubmitError::Database(_))) => {
            Err(WebhookError::Unavailable(anyhow::Error::new(error)))
        }
    }
}

/// Counts the call by tenant and outcome and records how long it took. The tenant label is
/// the matched tenant's own workspace id, never the path as sent; calls that matched no
/// tenant share one empty label, so that made-up or padded ids cannot grow the number of
/// series.
fn record_metrics(
    matched: Option<&AppKey>,
    outcome: &Result<IngestOutcome, WebhookError>,
    started: Instant,
) {
    let outcome = match outcome {
        Ok(IngestOutcome::Accepted { .. }) => "accepted",
        Ok(IngestOutcome::Duplicate) => "duplicate",
        Ok(IngestOutcome::Rejected(rejection)) => rejection.code(),
        Err(error) => error.outcome(),
    };
    let tenant = matched.map(AppKey::to_string).unwrap_or_default();
    metrics::counter!(REPORTS_RECEIVED, "tenant" => tenant, "outcome" => outcome).increment(1);
    metrics::histogram!(INGEST_DURATION).record(started.elapsed().as_secs_f64());
}

/// Finds the tenant by its exact workspace id and checks that the caller is Sinch (its
/// Basic credentials), whatever the integration's state.
async fn authenticate(
    state: &AppState,
    raw_app_key: &str,
    headers: &HeaderMap,
) -> Result<Arc<Tenant>, WebhookError> {
    let Shared {
        pool,
        cipher,
        intake,
        ..
    } = &**state;
    // Only the canonical form: padding or any other spelling is not a workspace id.
    let app_key = AppKey::parse(raw_app_key)
        .ok()
        .filter(|key| key.as_str() == raw_app_key)
        .ok_or_else(|| WebhookError::InvalidAppKey(raw_app_key.to_owned()))?;
    let Some(tenant) = intake
        .tenants
        .find(&app_key)
        .await
        .map_err(|e| WebhookError::Unavailable(e.into()))?
    else {
        if let Some(calls) = state.unknown_workspaces.called(&app_key) {
            let reason = RefusalReason::UnknownTenant;
            state
                .refused_calls
                .add(pool, app_key.as_str(), reason, calls);
        }
        return Err(WebhookError::UnknownTenant(app_key.to_string()));
    };
    let credentials = tenant.callback_credentials(cipher).map_err(|e| {
        WebhookError::Unexpected(anyhow::Error::new(e).context("opening the callback password"))
    })?;
    if !basic_auth::presents(headers, &credentials.username, &credentials.password) {
        state
            .refused_calls
            .called(pool, tenant.app_key.as_str(), RefusalReason::Unauthorized);
        return Err(WebhookError::Unauthorized);
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
    let tolerance = state.access.signature_tolerance;
    if let Err(error) =
        crate::sinch_signature::verify(headers, body, &secret, tolerance, chrono::Utc::now())
    {
        state.refused_calls.called(
            &state.pool,
            tenant.app_key.as_str(),
            RefusalReason::Unauthorized,
        );
        return Err(error.into());
    }
    Ok(())
}

/// The body, if it is within the size limit and could be read.
fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, WebhookError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebhookError::PayloadTooLarge(MAX_BODY_BYTES)
        } else {
            WebhookError::UnreadableBody(rejection.body_text())
        }
    })
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
