//! Writes a tenant's attempts in batches: while one write is under way the next requests'
//! results gather, so a tenant at 450 events a second costs a handful of statements a
//! second, not one per request, and no result waits for a timer.

use store::forwarding::{self, Attempt, Outcome};
use store::tenants::TenantId;
use store::PgPool;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::telemetry::metrics::{EVENTS_DEAD, EVENTS_FORWARDED, EVENTS_RETRIED};

/// The most attempts written in one statement.
const MAX_BATCH: usize = 2_000;

pub struct Recorder {
    sender: mpsc::UnboundedSender<Vec<Attempt>>,
    task: JoinHandle<()>,
}

impl Recorder {
    pub fn start(pool: PgPool, tenant: TenantId, app_key: String, worker: String) -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        let task = tokio::spawn(write_loop(pool, tenant, app_key, worker, receiver));
        Self { sender, task }
    }

    pub fn record(&self, attempts: Vec<Attempt>) {
        if attempts.is_empty() {
            return;
        }
        // The loop ends only after the sender is dropped (`finish`), so this cannot fail
        // while the driver runs; if it ever did, the events come back when their lease ends.
        let _ = self.sender.send(attempts);
    }

    /// Writes what is left and waits for it.
    pub async fn finish(self) {
        drop(self.sender);
        if let Err(error) = self.task.await {
            tracing::error!(error = %error, "forwarding: the recorder failed");
        }
    }
}

async fn write_loop(
    pool: PgPool,
    tenant: TenantId,
    app_key: String,
    worker: String,
    mut receiver: mpsc::UnboundedReceiver<Vec<Attempt>>,
) {
    let mut batch: Vec<Attempt> = Vec::new();
    while let Some(first) = receiver.recv().await {
        batch.extend(first);
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(more) => batch.extend(more),
                Err(_) => break,
            }
        }
        count(&app_key, &batch);
        if let Err(error) = forwarding::record(&pool, tenant, &worker, &batch).await {
            // The events stay claimed and are due again when their lease ends: sent twice
            // at worst, never lost.
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                attempts = batch.len(),
                "could not record forwarding attempts"
            );
        }
        batch.clear();
    }
}

fn count(app_key: &str, attempts: &[Attempt]) {
    let (mut forwarded, mut retried, mut dead) = (0u64, 0u64, 0u64);
    for attempt in attempts {
        match attempt.outcome {
            Outcome::Forwarded => forwarded += 1,
            Outcome::Retry { .. } => retried += 1,
            Outcome::Dead { .. } => dead += 1,
            Outcome::Paused { .. } | Outcome::Released => {}
        }
    }
    let tenant = app_key.to_owned();
    metrics::counter!(EVENTS_FORWARDED, "tenant" => tenant.clone()).increment(forwarded);
    metrics::counter!(EVENTS_RETRIED, "tenant" => tenant.clone()).increment(retried);
    metrics::counter!(EVENTS_DEAD, "tenant" => tenant).increment(dead);
}
