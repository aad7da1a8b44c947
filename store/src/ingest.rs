//! Stores one Sinch delivery report and enqueues the MoEngage events it implies, in one
//! transaction: when this returns Ok, the report is durable.
//!
//! Idempotency has two layers. A retried report has the same body, and the body's digest is
//! unique per tenant, so a retry stores nothing. Different reports about the same message
//! meet at the message row (tenant, batch, recipient), and each message holds at most one
//! event per slot: one "sent" and one "final".

use chrono::{DateTime, Utc};
use domain::{EventKind, Observation, SinchReport, UidRejection};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};

use crate::tenants::TenantId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    /// Stored; `enqueued` events wait to be forwarded, `suppressed` were stored only.
    Accepted { enqueued: u32, suppressed: u32 },
    /// The same report was stored before (a Sinch retry).
    Duplicate,
    /// Stored and explained, never forwarded: its uid cannot be used.
    Rejected(UidRejection),
}

/// One report to store: whose it is, the body exactly as received, and its parsed form.
#[derive(Debug, Clone, Copy)]
pub struct Submission<'a> {
    pub tenant: TenantId,
    pub body: &'a [u8],
    pub report: &'a SinchReport,
}

/// Stores one report in its own transaction.
#[tracing::instrument(skip_all, fields(tenant = submission.tenant.0, batch_id = %submission.report.batch_id))]
pub async fn ingest(
    pool: &PgPool,
    submission: Submission<'_>,
) -> Result<IngestOutcome, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let outcome = ingest_in(&mut tx, submission).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Stores several reports in one transaction: one commit (and one fsync) for all of them.
/// Either all are stored or, on error, none.
#[tracing::instrument(skip_all, fields(reports = submissions.len()))]
pub async fn ingest_batch(
    pool: &PgPool,
    submissions: &[Submission<'_>],
) -> Result<Vec<IngestOutcome>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut outcomes = Vec::with_capacity(submissions.len());
    for submission in submissions {
        outcomes.push(ingest_in(&mut tx, *submission).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// Stores one report inside the caller's transaction.
async fn ingest_in(
    tx: &mut PgConnection,
    submission: Submission<'_>,
) -> Result<IngestOutcome, sqlx::Error> {
    let Submission {
        tenant,
        body,
        report,
    } = submission;
    let Some((report_id, received_at)) = insert_report(tx, tenant, body, report).await? else {
        return Ok(IngestOutcome::Duplicate);
    };
    let customer_id = match report.client_reference.customer_id() {
        Ok(customer_id) => customer_id,
        Err(rejection) => {
            insert_rejection(tx, tenant, report_id, &rejection, report).await?;
            return Ok(IngestOutcome::Rejected(rejection));
        }
    };
    let extra = serde_json::to_value(&report.client_reference.extra)
        .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let context = ReportContext {
        tenant,
        report_id,
        received_at,
        batch_id: &report.batch_id,
        customer_id: customer_id.as_str(),
        category: report.client_reference.cat.as_deref(),
        extra: &extra,
    };
    let (mut enqueued, mut suppressed) = (0, 0);
    for observation in &report.observations {
        match store_observation(tx, &context, observation).await? {
            Some(EventState::Pending) => enqueued += 1,
            Some(EventState::Suppressed) => suppressed += 1,
            None => {}
        }
    }
    Ok(IngestOutcome::Accepted {
        enqueued,
        suppressed,
    })
}

struct ReportContext<'a> {
    tenant: TenantId,
    report_id: i64,
    received_at: DateTime<Utc>,
    batch_id: &'a str,
    customer_id: &'a str,
    category: Option<&'a str>,
    extra: &'a serde_json::Value,
}

enum EventState {
    Pending,
    Suppressed,
}

/// Returns the new report's id and arrival time, or None when this body was stored before.
async fn insert_report(
    tx: &mut PgConnection,
    tenant: TenantId,
    body: &[u8],
    report: &SinchReport,
) -> Result<Option<(i64, DateTime<Utc>)>, sqlx::Error> {
    let digest = Sha256::digest(body).to_vec();
    let text = String::from_utf8_lossy(body);
    let report_type = match (report.per_recipient, report.channel) {
        (true, domain::Channel::Sms) => "recipient_delivery_report_sms",
        (true, domain::Channel::Mms) => "recipient_delivery_report_mms",
        (false, domain::Channel::Sms) => "delivery_report_sms",
        (false, domain::Channel::Mms) => "delivery_report_mms",
    };
    let row = sqlx::query!(
        r#"
        INSERT INTO reports (tenant_id, body_sha256, body, report_type, batch_id, client_reference)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (tenant_id, body_sha256) DO NOTHING
        RETURNING id, received_at
        "#,
        tenant.0,
        digest,
        text.as_ref(),
        report_type,
        report.batch_id,
        report.client_reference_raw,
    )
    .fetch_optional(&mut *tx)
    .await?;
    Ok(row.map(|row| (row.id, row.received_at)))
}

async fn insert_rejection(
    tx: &mut PgConnection,
    tenant: TenantId,
    report_id: i64,
    rejection: &UidRejection,
    report: &SinchReport,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        INSERT INTO rejections (tenant_id, report_id, reason, detail, client_reference)
        VALUES ($1, $2, $3, $4, $5)
        "#,
        tenant.0,
        report_id,
        rejection.code(),
        rejection.to_string(),
        report.client_reference_raw,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records one status of one message and, when the status maps to a MoEngage event the
/// message does not have yet, enqueues it.
async fn store_observation(
    tx: &mut PgConnection,
    report: &ReportContext<'_>,
    observation: &Observation,
) -> Result<Option<EventState>, sqlx::Error> {
    // A summary report's counts belong to the batch's aggregate row (recipient '').
    let recipient = observation.recipient.as_ref().map_or("", |r| r.as_str());
    let aggregate = observation.recipient.is_none();
    let final_status =
        (!aggregate && observation.status.is_final()).then(|| observation.status.as_str());
    // The row lock taken here serialises concurrent reports about the same message.
    let message = sqlx::query!(
        r#"
        INSERT INTO messages (tenant_id, batch_id, recipient, customer_id, category, final_status)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (tenant_id, batch_id, recipient) DO UPDATE
            SET final_status = COALESCE(messages.final_status, EXCLUDED.final_status)
        RETURNING id, final_status
        "#,
        report.tenant.0,
        report.batch_id,
        recipient,
        report.customer_id,
        report.category,
        final_status,
    )
    .fetch_one(&mut *tx)
    .await?;
    let reported_at = observation.at.unwrap_or(report.received_at);
    let code = i32::try_from(observation.code).unwrap_or(if observation.code < 0 {
        i32::MIN
    } else {
        i32::MAX
    });
    let count = i64::try_from(observation.count.max(1)).unwrap_or(i64::MAX);
    sqlx::query!(
        r#"
        INSERT INTO message_statuses (tenant_id, message_id, report_id, status, code, count,
                                      reported_at, operator)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT DO NOTHING
        "#,
        report.tenant.0,
        message.id,
        report.report_id,
        observation.status.as_str(),
        code,
        count,
        reported_at,
        observation.operator,
    )
    .execute(&mut *tx)
    .await?;

    let Some(kind) = observation.status.event() else {
        return Ok(None);
    };
    let slot = match (aggregate, kind.is_final()) {
        (true, _) => format!("summary:{}:{}", observation.status, observation.code),
        (false, true) => "final".to_owned(),
        (false, false) => "sent".to_owned(),
    };
    // A Dispatched that arrives after the final status is kept, but MoEngage would show
    // the message as sent after it was delivered: it is not forwarded.
    let state = if kind == EventKind::Sent && message.final_status.is_some() && !aggregate {
        EventState::Suppressed
    } else {
        EventState::Pending
    };
    let (forward_state, due) = match state {
        EventState::Pending => ("pending", Some(Utc::now())),
        EventState::Suppressed => ("suppressed", None),
    };
    let inserted = sqlx::query_scalar!(
        r#"
        INSERT INTO events (tenant_id, message_id, report_id, kind, slot, customer_id, category,
                            batch_id, recipient, sinch_status, sinch_code, count, operator, extra,
                            reported_at, forward_state, next_attempt_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
        ON CONFLICT (tenant_id, message_id, slot) DO NOTHING
        RETURNING id
        "#,
        report.tenant.0,
        message.id,
        report.report_id,
        kind_code(kind),
        slot,
        report.customer_id,
        report.category,
        report.batch_id,
        recipient,
        observation.status.as_str(),
        code,
        count,
        observation.operator,
        report.extra,
        reported_at,
        forward_state,
        due,
    )
    .fetch_optional(&mut *tx)
    .await?;
    Ok(inserted.map(|_| state))
}

fn kind_code(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Sent => "sent",
        EventKind::Delivered => "delivered",
        EventKind::DeliveryFailed => "delivery_failed",
    }
}
