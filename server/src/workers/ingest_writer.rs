//! Group commit for the Sinch webhook: concurrent calls share a transaction and an fsync.
//!
//! Handlers submit parsed reports and wait for the answer. Each writer task takes what has
//! queued up while its previous commit ran (never waiting for more), stores it in one
//! transaction and answers every caller after the commit, so a 2xx still means committed.
//! Reports are sharded by tenant and batch: every report about a message goes through the
//! same writer, so writers never wait on each other's row locks. A full queue answers at
//! once (503, which Sinch retries) instead of letting calls pile up.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use axum::body::Bytes;
use domain::SinchReport;
use store::ingest::{self, IngestOutcome, Submission};
use store::tenants::TenantId;
use store::PgPool;
use tokio::sync::{mpsc, oneshot};

use crate::telemetry::metrics::INGEST_BATCH_SIZE;

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("the ingestion queue is full")]
    Busy,
    #[error("the ingestion writers have stopped")]
    Stopped,
    #[error("the database could not store the report")]
    Database(#[source] Arc<sqlx::Error>),
}

struct Job {
    tenant: TenantId,
    body: Bytes,
    report: SinchReport,
    reply: oneshot::Sender<Result<IngestOutcome, Arc<sqlx::Error>>>,
}

/// Hands reports to the writer tasks. Cloning is cheap; the writers stop once every
/// clone is dropped and their queues are drained.
#[derive(Clone)]
pub struct IngestWriter {
    queues: Arc<[mpsc::Sender<Job>]>,
}

#[derive(Debug, Clone, Copy)]
pub struct WriterSettings {
    pub writers: usize,
    /// Reports waiting per writer before calls are turned away.
    pub queue: usize,
    /// The most reports one transaction stores.
    pub max_batch: usize,
}

/// Rung after a commit that enqueued events, so that this process's forwarding workers
/// start on them at once instead of at their next poll.
pub type EventsEnqueued = Arc<tokio::sync::Notify>;

impl Default for WriterSettings {
    fn default() -> Self {
        Self {
            // Every batch costs PostgreSQL a fixed share whatever its size (a
            // transaction, four statements, a commit), so fewer writers make bigger
            // batches: on two cores one writer stored a report for 116-476 CPU µs where
            // four took 206-838, and saturated about as high (7,494-9,072 calls/s over
            // two runs, against 7,402-7,804; BENCHMARKS.md, run 9).
            // More throughput comes from more `api` processes, each with its own writer.
            writers: 1,
            queue: 1024,
            max_batch: 256,
        }
    }
}

impl IngestWriter {
    pub fn start(pool: PgPool, settings: WriterSettings, enqueued: EventsEnqueued) -> Self {
        let queues: Vec<_> = (0..settings.writers.max(1))
            .map(|_| {
                let (sender, receiver) = mpsc::channel(settings.queue.max(1));
                tokio::spawn(write_loop(
                    pool.clone(),
                    receiver,
                    settings.max_batch.max(1),
                    enqueued.clone(),
                ));
                sender
            })
            .collect();
        Self {
            queues: queues.into(),
        }
    }

    /// Stores the report and returns once it is committed (or known not to be).
    pub async fn submit(
        &self,
        tenant: TenantId,
        body: Bytes,
        report: SinchReport,
    ) -> Result<IngestOutcome, SubmitError> {
        let mut shard = DefaultHasher::new();
        (tenant.0, &report.batch_id).hash(&mut shard);
        let queue = &self.queues[(shard.finish() % self.queues.len() as u64) as usize];
        let (reply, answer) = oneshot::channel();
        queue
            .try_send(Job {
                tenant,
                body,
                report,
                reply,
            })
            .map_err(|error| match error {
                mpsc::error::TrySendError::Full(_) => SubmitError::Busy,
                mpsc::error::TrySendError::Closed(_) => SubmitError::Stopped,
            })?;
        answer
            .await
            .map_err(|_| SubmitError::Stopped)?
            .map_err(SubmitError::Database)
    }
}

async fn write_loop(
    pool: PgPool,
    mut receiver: mpsc::Receiver<Job>,
    max_batch: usize,
    enqueued: EventsEnqueued,
) {
    let mut jobs = Vec::with_capacity(max_batch);
    while receiver.recv_many(&mut jobs, max_batch).await > 0 {
        if write(&pool, std::mem::take(&mut jobs)).await {
            enqueued.notify_one();
        }
    }
}

/// Stores the jobs in one transaction. If that fails on a query (not on the connection),
/// each job is retried in a transaction of its own, so one bad report cannot fail others.
/// Returns whether any event was enqueued.
async fn write(pool: &PgPool, jobs: Vec<Job>) -> bool {
    metrics::histogram!(INGEST_BATCH_SIZE).record(jobs.len() as f64);
    let submissions: Vec<Submission<'_>> = jobs.iter().map(submission).collect();
    let outcomes = ingest::ingest_batch(pool, &submissions).await;
    drop(submissions);
    match outcomes {
        Ok(outcomes) => {
            let enqueued = outcomes.iter().any(enqueues);
            for (job, outcome) in jobs.into_iter().zip(outcomes) {
                // The caller may have timed out and left: its retry will be a duplicate.
                let _ = job.reply.send(Ok(outcome));
            }
            enqueued
        }
        Err(error) if jobs.len() > 1 && matches!(error, sqlx::Error::Database(_)) => {
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                jobs = jobs.len(),
                "batch failed; storing its reports one by one"
            );
            let mut enqueued = false;
            for job in jobs {
                let outcome = ingest::ingest(pool, submission(&job))
                    .await
                    .map_err(Arc::new);
                enqueued |= outcome.as_ref().is_ok_and(enqueues);
                let _ = job.reply.send(outcome);
            }
            enqueued
        }
        Err(error) => {
            let error = Arc::new(error);
            for job in jobs {
                let _ = job.reply.send(Err(error.clone()));
            }
            false
        }
    }
}

fn enqueues(outcome: &IngestOutcome) -> bool {
    matches!(outcome, IngestOutcome::Accepted { enqueued, .. } if *enqueued > 0)
}

fn submission(job: &Job) -> Submission<'_> {
    Submission {
        tenant: job.tenant,
        body: &job.body,
        report: &job.report,
    }
}
