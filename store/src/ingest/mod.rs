//! Stores Sinch delivery reports and enqueues the MoEngage events they imply, in one
//! transaction: when this returns Ok, the reports are durable.
//!
//! Idempotency has two layers. A retried report has the same body, and the body's digest is
//! unique per tenant, so a retry stores nothing. Different reports about the same message
//! meet at the message row (tenant, batch, recipient), looked for in the last week's days,
//! and each message holds at most one event per slot: one "sent" and one "final".
//!
//! A batch costs a fixed number of statements whatever its size: `plan` works out in
//! memory what a report-at-a-time loop would write, and `statements` writes it with
//! `INSERT ... SELECT FROM UNNEST(...)`: the reports, the messages' locks, the messages,
//! then the events with the statuses that made none (rejections take one more).
//! Each round trip costs both sides CPU whatever it carries (BENCHMARKS.md, run 6).

mod plan;
mod statements;

use std::collections::HashMap;

use domain::{SinchReport, UidRejection};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};

use crate::tenants::TenantId;
use plan::{Accepted, MessageKey, StoredMessage};

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
    let mut outcomes = ingest_batch(pool, &[submission]).await?;
    Ok(outcomes.remove(0))
}

/// Stores several reports in one transaction: one commit (and one fsync) for all of them.
/// Either all are stored or, on error, none. Outcomes come back in submission order, and
/// a body repeated within the batch is a duplicate of its first copy.
#[tracing::instrument(skip_all, fields(reports = submissions.len()))]
pub async fn ingest_batch(
    pool: &PgPool,
    submissions: &[Submission<'_>],
) -> Result<Vec<IngestOutcome>, sqlx::Error> {
    // Generic plans, in the BEGIN's own round trip. By default PostgreSQL planned the
    // reports' statement anew for every batch (its generic plan names every day of
    // `reports`, so it never looked cheaper than a custom one): 5.7 ms of planning
    // against 0.5 of execution with 90 days kept. A generic plan still reads one day:
    // the days are pruned when it starts (BENCHMARKS.md, ingestion run 11).
    let mut tx = pool
        .begin_with("BEGIN; SET LOCAL plan_cache_mode = force_generic_plan")
        .await?;
    let outcomes = store(&mut tx, submissions).await?;
    tx.commit().await?;
    Ok(outcomes)
}

async fn store(
    tx: &mut PgConnection,
    submissions: &[Submission<'_>],
) -> Result<Vec<IngestOutcome>, sqlx::Error> {
    let mut outcomes = vec![IngestOutcome::Duplicate; submissions.len()];
    let digests: Vec<Vec<u8>> = submissions.iter().map(|s| body_digest(s.body)).collect();
    let stored = statements::insert_reports(tx, submissions, &digests).await?;

    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for (index, report_id, received_at) in stored {
        let submission = submissions[index];
        let reference = &submission.report.client_reference;
        match reference.customer_id() {
            Ok(customer_id) => accepted.push(Accepted {
                submission: index,
                tenant: submission.tenant,
                report_id,
                received_at,
                report: submission.report,
                customer_id,
                extra: serde_json::to_value(&reference.extra)
                    .map_err(|e| sqlx::Error::Encode(Box::new(e)))?,
            }),
            Err(rejection) => {
                rejected.push((submission, report_id, rejection.clone()));
                outcomes[index] = IngestOutcome::Rejected(rejection);
            }
        }
    }
    statements::insert_rejections(tx, &rejected).await?;
    if accepted.is_empty() {
        return Ok(outcomes);
    }

    let messages = store_messages(tx, &accepted).await?;
    let (statuses, events) = plan::rows(&accepted, &messages);
    for report in &accepted {
        outcomes[report.submission] = IngestOutcome::Accepted {
            enqueued: 0,
            suppressed: 0,
        };
    }
    for event in statements::insert_statuses_and_events(tx, &statuses, &events).await? {
        if let IngestOutcome::Accepted {
            enqueued,
            suppressed,
        } = &mut outcomes[event.submission]
        {
            match event.state {
                plan::EventState::Pending => *enqueued += 1,
                plan::EventState::Suppressed => *suppressed += 1,
            }
        }
    }
    Ok(outcomes)
}

/// What makes a retried report a duplicate: the digest of its body, byte for byte. The
/// first 128 bits of its SHA-256 are plenty for one tenant's reports and make the unique
/// key half the size (migrations/20261206000014_shorter_report_digest.sql).
pub(crate) fn body_digest(body: &[u8]) -> Vec<u8> {
    Sha256::digest(body)[..DIGEST_BYTES].to_vec()
}

const DIGEST_BYTES: usize = 16;

/// Creates the batch's new messages, records the first final status of stored ones that
/// had none, and locks them all (which serialises concurrent reports about the same
/// message, even from other processes). Returns each message's id and whether it was
/// final before this batch. Two statements: the locks, then the rest.
async fn store_messages<'a>(
    tx: &mut PgConnection,
    accepted: &'a [Accepted<'a>],
) -> Result<HashMap<MessageKey<'a>, StoredMessage>, sqlx::Error> {
    let drafts = plan::message_drafts(accepted);
    statements::lock_messages(tx, &drafts).await?;
    let mut stored = HashMap::with_capacity(drafts.len());
    for (index, id, had_final) in statements::store_messages(tx, &drafts).await? {
        stored.insert(drafts[index].key, StoredMessage { id, had_final });
    }
    if stored.len() != drafts.len() {
        // Under the lock no other transaction makes these messages; should one be
        // missing all the same, the call answers 503 and Sinch's retry stores the report
        // afresh.
        return Err(sqlx::Error::RowNotFound);
    }
    Ok(stored)
}
