//! Forwarding workers: deliver enqueued events to MoEngage's Data API.
//!
//! MoEngage's limits are per workspace, however many clients send, so one process at a
//! time drives a tenant: the scheduler here takes a tenant's lease in the database
//! (`store::forwarding::leases`) when it has due events, and starts a driver for it
//! (`driver`), which claims ahead, paces the tenant's events at its rate, keeps its
//! requests in flight and records results in batches. Several processes share the
//! tenants out; one that dies stops renewing its leases and the others take its tenants
//! once they lapse. Each tenant has its own pace, slots and circuit breaker, so a busy or
//! failing tenant never holds up the others; `workers` bounds requests in flight across
//! all of this process's tenants.
//!
//! Events are claimed with a lease of their own (`store::forwarding::claim`), so that no
//! event is sent twice at the same time even while a tenant changes hands, and a process
//! that dies only delays its events until their lease ends.

mod answer;
mod breaker;
mod driver;
mod pace;
mod queue_report;
mod recorder;
mod schedule;
mod send;
pub mod settings;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use domain::AppKey;
use store::forwarding::leases::{self, DueTenant, LeaseReport};
use store::forwarding::{self, ForwardingProfile};
use store::tenants::TenantId;
use store::{Cipher, PgPool};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::workers::ingest_writer::EventsEnqueued;

pub use schedule::RetrySchedule;
pub use settings::ForwardingSettings;

/// What every driver needs.
struct Context {
    pool: PgPool,
    client: reqwest::Client,
    /// Where requests go (the simulator's base URL, or each tenant's data center).
    data_api: store::moengage::DataApi,
    settings: ForwardingSettings,
    /// Requests in flight across all tenants.
    requests: Arc<Semaphore>,
    /// This process's name on its leases and claims.
    worker: String,
    /// Rung when this process's webhook enqueued events; other processes' events are
    /// found by polling.
    wake: EventsEnqueued,
}

/// Runs the workers until `stop` is cancelled, then lets requests in flight finish, hands
/// back whatever is still claimed and gives up this process's leases.
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
    let client = match reqwest::Client::builder()
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout.min(std::time::Duration::from_secs(2)))
        .tcp_nodelay(true)
        .build()
    {
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
        data_api: store::moengage::DataApi::new(settings.base_url.as_ref().map(url::Url::as_str)),
        requests: Arc::new(Semaphore::new(settings.workers)),
        settings,
        worker,
        wake,
    });
    let metrics = tokio::spawn(queue_report::report_queue(
        context.pool.clone(),
        stop.clone(),
    ));
    Scheduler::new(context.clone(), cipher).run(&stop).await;
    metrics.abort();
    let (pool, worker) = (&context.pool, &context.worker);
    if let Err(error) = leases::give_up_all(pool, worker).await {
        tracing::warn!(
            error = &error as &dyn std::error::Error,
            "forwarding: could not give up leases; they lapse by themselves"
        );
    }
    match forwarding::release(pool, worker).await {
        Ok(0) => {}
        Ok(released) => tracing::info!(released, "forwarding: released unfinished claims"),
        Err(error) => tracing::warn!(
            error = &error as &dyn std::error::Error,
            "forwarding: could not release claims; they are due again when their lease ends"
        ),
    }
}

/// A tenant's Data API key as opened, kept while the sealed key is the same (replacing the
/// key changes it): the key is not decrypted again on every round. None: it could not be
/// opened, already said in the log.
struct OpenedKey {
    sealed: Vec<u8>,
    opened: Option<String>,
}

struct Scheduler {
    context: Arc<Context>,
    cipher: Cipher,
    drivers: HashMap<TenantId, driver::Handles>,
    keys: HashMap<TenantId, OpenedKey>,
    /// Live worker processes, from the last renewal.
    live: i64,
    renewed_at: Option<Instant>,
    /// The leases may have lapsed after this (the last renewal that succeeded, plus the
    /// lease, less a margin): drivers stop before.
    valid_until: Instant,
}

impl Scheduler {
    fn new(context: Arc<Context>, cipher: Cipher) -> Self {
        Self {
            context,
            cipher,
            drivers: HashMap::new(),
            keys: HashMap::new(),
            live: 1,
            renewed_at: None,
            valid_until: Instant::now(),
        }
    }

    async fn run(&mut self, stop: &CancellationToken) {
        while !stop.is_cancelled() {
            let renew_every = self.context.settings.tenant_lease / 3;
            if self.renewed_at.is_none_or(|at| at.elapsed() >= renew_every) {
                self.renew().await;
            }
            if let Err(error) = self.round(stop).await {
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    "forwarding: could not find due tenants; retrying"
                );
            }
            self.drivers.retain(|_, driver| !driver.task.is_finished());
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = tokio::time::sleep(self.context.settings.poll) => {}
                _ = self.context.wake.notified() => {}
            }
        }
        // The drivers' tokens are children of `stop`: each hands back what it has not
        // sent and waits for its requests in flight.
        for (_, driver) in self.drivers.drain() {
            if let Err(error) = driver.task.await {
                tracing::error!(error = %error, "forwarding: a driver failed");
            }
        }
    }

    /// Renews this process's leases with what its drivers measured, and stops the drivers
    /// of leases it no longer holds (or may no longer hold).
    async fn renew(&mut self) {
        let started = Instant::now();
        self.renewed_at = Some(started);
        let reports: Vec<LeaseReport> = self
            .drivers
            .iter()
            .map(|(tenant, driver)| {
                let stats = driver.stats.borrow();
                LeaseReport {
                    tenant: *tenant,
                    rate_now: stats.rate_now,
                    failing_since: stats.failing_since,
                }
            })
            .collect();
        let (context, ttl) = (&self.context, self.context.settings.tenant_lease);
        match leases::renew(&context.pool, &context.worker, ttl, &reports).await {
            Ok((held, live)) => {
                self.live = live;
                self.valid_until = started + ttl - ttl / 6;
                let held: HashSet<TenantId> = held.into_iter().collect();
                for (tenant, driver) in &self.drivers {
                    if !held.contains(tenant) {
                        tracing::warn!(
                            tenant = tenant.0,
                            "forwarding: lost a tenant's lease; another process drives it"
                        );
                        driver.stop.cancel();
                    }
                }
            }
            Err(error) => tracing::warn!(
                error = &error as &dyn std::error::Error,
                "forwarding: could not renew leases"
            ),
        }
        if Instant::now() >= self.valid_until && !self.drivers.is_empty() {
            tracing::warn!(
                "forwarding: leases not renewed in time; stopping this process's tenants"
            );
            for driver in self.drivers.values() {
                driver.stop.cancel();
            }
        }
    }

    /// One look at the due tenants: new settings and a nudge for the tenants driven here,
    /// a lease and a driver for those nobody drives, up to this process's share.
    async fn round(&mut self, stop: &CancellationToken) -> Result<(), sqlx::Error> {
        let (pool, worker) = (&self.context.pool.clone(), self.context.worker.clone());
        let due = leases::due_tenants(pool, &worker).await?;
        let with_work = due
            .iter()
            .filter(|t| (t.due && !t.stopped) || self.drivers.contains_key(&t.id))
            .count();
        let share = with_work.div_ceil(usize::try_from(self.live).unwrap_or(1).max(1));
        for tenant in &due {
            if let Some(driver) = self.drivers.get(&tenant.id) {
                if tenant.stopped {
                    driver.stop.cancel();
                    continue;
                }
                let profile = self.profile(tenant);
                let driver = &self.drivers[&tenant.id];
                if let Some(profile) = profile {
                    driver.profile.send_if_modified(|current| {
                        let changed = **current != *profile;
                        if changed {
                            *current = profile;
                        }
                        changed
                    });
                }
                if tenant.due {
                    driver.wake.notify_one();
                }
                continue;
            }
            let held_elsewhere = tenant.holder.as_deref().is_some_and(|h| h != worker);
            if !tenant.due || tenant.stopped || held_elsewhere || self.drivers.len() >= share {
                continue;
            }
            let Some(profile) = self.profile(tenant) else {
                continue;
            };
            if !leases::acquire(pool, tenant.id, &worker, self.context.settings.tenant_lease)
                .await?
            {
                continue;
            }
            let handles =
                driver::start(self.context.clone(), tenant.id, profile, stop.child_token());
            self.drivers.insert(tenant.id, handles);
        }
        Ok(())
    }

    /// The tenant's profile with its key opened (once per sealed key). One tenant's
    /// unreadable settings (say, a secret sealed under another master key) must not stop
    /// the others' turns.
    fn profile(&mut self, tenant: &DueTenant) -> Option<Arc<ForwardingProfile>> {
        let cached = self
            .keys
            .get(&tenant.id)
            .filter(|key| key.sealed == tenant.api_key_sealed);
        let opened = match cached {
            Some(key) => key.opened.clone(),
            None => {
                let opened = AppKey::parse(&tenant.app_key)
                    .map_err(|e| e.to_string())
                    .and_then(|app_key| {
                        forwarding::open_api_key(&self.cipher, &app_key, &tenant.api_key_sealed)
                            .map_err(|e| e.to_string())
                    });
                let opened = match opened {
                    Ok(key) => Some(key),
                    Err(error) => {
                        tracing::warn!(tenant = tenant.id.0, %error, "forwarding: skipping a tenant");
                        None
                    }
                };
                self.keys.insert(
                    tenant.id,
                    OpenedKey {
                        sealed: tenant.api_key_sealed.clone(),
                        opened: opened.clone(),
                    },
                );
                opened
            }
        }?;
        match ForwardingProfile::of_due(tenant, opened) {
            Ok(profile) => Some(Arc::new(profile)),
            Err(error) => {
                tracing::warn!(tenant = tenant.id.0, %error, "forwarding: skipping a tenant");
                None
            }
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .unwrap_or_else(|_| "dlrhub".to_owned())
}
