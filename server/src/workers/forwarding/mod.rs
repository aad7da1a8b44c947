//! Forwarding workers: deliver enqueued events to MoEngage's Data API.
//!
//! One scheduler task per process takes turns between tenants with due events, oldest
//! first. Each tenant has at most one claim in flight, claims no more events than its
//! token bucket allows (its rate limit) and sends that claim's requests at most
//! `forward_concurrency` at a time; `workers` bounds requests in flight across all tenants.
//! So a busy tenant uses its own rate and slots, never the others' turns.
//!
//! Claims are leases in the database (`store::forwarding`), so several processes can run
//! workers on one database without sending an event twice at the same time, and a process
//! that dies only delays its events until their lease ends.
//!
//! The rate limit is enforced per process: with N worker processes, set each tenant's
//! rate to 1/N of MoEngage's limit, or rely on MoEngage's 429 (retried with Retry-After).

mod answer;
mod rate;
mod schedule;
mod send;
pub mod settings;

use std::collections::HashMap;
use std::sync::Arc;

use store::forwarding;
use store::tenants::TenantId;
use store::{Cipher, PgPool};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::workers::ingest_writer::EventsEnqueued;

pub use schedule::RetrySchedule;
pub use settings::ForwardingSettings;

use rate::TokenBucket;

/// What every claim's task needs.
struct Context {
    pool: PgPool,
    client: reqwest::Client,
    settings: ForwardingSettings,
    /// Requests in flight across all tenants.
    requests: Semaphore,
    /// This process's name on its claims.
    worker: String,
    /// Rung when this process's webhook enqueued events; other processes' events are
    /// found by polling.
    wake: EventsEnqueued,
}

/// Runs the workers until `stop` is cancelled, then lets claims in flight finish and hands
/// back whatever is still claimed.
pub async fn run(
    pool: PgPool,
    cipher: Cipher,
    settings: ForwardingSettings,
    wake: EventsEnqueued,
    stop: CancellationToken,
) {
    if settings.workers == 0 {
        return;
    }
    let client = match reqwest::Client::builder().timeout(settings.timeout).build() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(
                error = &error as &dyn std::error::Error,
                "forwarding cannot start"
            );
            return;
        }
    };
    let worker = format!(
        "{}-{}-{}",
        hostname(),
        std::process::id(),
        store::cipher::random_token(6).unwrap_or_default()
    );
    tracing::info!(%worker, workers = settings.workers, "forwarding workers started");
    let context = Arc::new(Context {
        pool,
        client,
        requests: Semaphore::new(settings.workers),
        settings,
        worker,
        wake,
    });
    let metrics = tokio::spawn(send::report_queue(context.pool.clone(), stop.clone()));
    schedule_until_stopped(&context, &cipher, &stop).await;
    metrics.abort();
    match forwarding::release(&context.pool, &context.worker).await {
        Ok(0) => {}
        Ok(released) => tracing::info!(released, "forwarding: released unfinished claims"),
        Err(error) => tracing::warn!(
            error = &error as &dyn std::error::Error,
            "forwarding: could not release claims; they are due again when their lease ends"
        ),
    }
}

struct TenantTurn {
    busy: bool,
    bucket: TokenBucket,
}

async fn schedule_until_stopped(context: &Arc<Context>, cipher: &Cipher, stop: &CancellationToken) {
    let mut turns: HashMap<TenantId, TenantTurn> = HashMap::new();
    let mut claims: JoinSet<TenantId> = JoinSet::new();
    while !stop.is_cancelled() {
        let claimed = match claim_round(context, cipher, &mut turns, &mut claims).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::warn!(error = %error, "forwarding: could not claim events; retrying");
                false
            }
        };
        while let Some(done) = claims.try_join_next() {
            finish(&mut turns, done);
        }
        if !claimed {
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = tokio::time::sleep(context.settings.poll) => {}
                _ = context.wake.notified() => {}
                Some(done) = claims.join_next(), if !claims.is_empty() => finish(&mut turns, done),
            }
        }
    }
    // Claims in flight finish: each request is bounded by the timeout.
    while let Some(done) = claims.join_next().await {
        finish(&mut turns, done);
    }
}

fn finish(
    turns: &mut HashMap<TenantId, TenantTurn>,
    done: Result<TenantId, tokio::task::JoinError>,
) {
    match done {
        Ok(tenant) => {
            if let Some(turn) = turns.get_mut(&tenant) {
                turn.busy = false;
            }
        }
        // A panicking claim leaves its tenant marked busy; its events come back when their
        // lease ends, and the process is restarted by whoever watches it.
        Err(error) => tracing::error!(error = %error, "forwarding: a claim's task failed"),
    }
}

/// Gives every tenant with due events one turn. Returns whether anything was claimed.
async fn claim_round(
    context: &Arc<Context>,
    cipher: &Cipher,
    turns: &mut HashMap<TenantId, TenantTurn>,
    claims: &mut JoinSet<TenantId>,
) -> anyhow::Result<bool> {
    let mut claimed = false;
    for tenant in forwarding::due_tenants(&context.pool).await? {
        if turns.get(&tenant).is_some_and(|turn| turn.busy) {
            continue;
        }
        // One tenant's unreadable settings (say, a secret sealed under another master key)
        // must not stop the others' turns.
        let profile = match forwarding::profile(&context.pool, cipher, tenant).await {
            Ok(profile) if profile.paused => continue,
            Ok(profile) => profile,
            Err(forwarding::ProfileError::Database(error)) => return Err(error.into()),
            Err(error) => {
                tracing::warn!(tenant = tenant.0, error = %error, "forwarding: skipping a tenant");
                continue;
            }
        };
        let turn = turns.entry(tenant).or_insert_with(|| TenantTurn {
            busy: false,
            bucket: TokenBucket::new(profile.rate_per_s),
        });
        turn.bucket.set_rate(profile.rate_per_s);
        let allowed = turn.bucket.available().min(context.settings.claim_limit);
        if allowed == 0 {
            continue;
        }
        let events = forwarding::claim(
            &context.pool,
            tenant,
            i64::from(allowed),
            context.settings.lease,
            &context.worker,
        )
        .await?;
        if events.is_empty() {
            continue;
        }
        turn.bucket
            .take(u32::try_from(events.len()).unwrap_or(u32::MAX));
        turn.busy = true;
        claimed = true;
        let context = context.clone();
        claims.spawn(async move {
            send::forward_claim(&context, profile, events).await;
            tenant
        });
    }
    Ok(claimed)
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .unwrap_or_else(|_| "dlrhub".to_owned())
}
