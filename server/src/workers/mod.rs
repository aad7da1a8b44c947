//! Background work that runs inside `dlrhub serve` beside the HTTP server, and stops with
//! it: the webhook's group-commit writers and tenant cache, the forwarding workers, the
//! retention job and the roll-up of the console's hourly counts.
//!
//! [`Workers::start`] is the one place that decides, from `DLRHUB_ROLE`, what a process
//! runs; `serve` and the tests both go through it (by `Application::build`).

use std::time::Duration;

use store::{PgPool, TenantCache};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::configuration::Settings;

pub mod activity;
pub mod forwarding;
pub mod ingest_writer;
pub mod retention;

use ingest_writer::{EventsEnqueued, IngestWriter, WriterSettings};

/// What the webhook needs to take reports in: only a process that serves it has one.
#[derive(Clone)]
pub struct Intake {
    /// Stores webhook reports with group commit.
    pub ingest: IngestWriter,
    /// Tenants for the webhook, kept current by database notifications.
    pub tenants: TenantCache,
}

/// The background work of one process, started for its role.
pub struct Workers {
    intake: Option<Intake>,
    forwarding: Option<JoinHandle<()>>,
}

impl Workers {
    /// Starts what `settings.role` asks for; everything stops when `stop` is cancelled
    /// (the writers when the last [`Intake`] is dropped, after the requests holding one).
    pub fn start(settings: &Settings, pool: &PgPool, stop: &CancellationToken) -> Self {
        // Rung by this process's writers after a commit that enqueued events, so that its
        // own forwarding workers start at once instead of at their next poll.
        let enqueued = EventsEnqueued::default();
        let intake = settings.role.serves_api().then(|| Intake {
            ingest: IngestWriter::start(pool.clone(), WriterSettings::default(), enqueued.clone()),
            tenants: TenantCache::start(pool.clone()),
        });
        let forwarding = settings.role.forwards().then(|| {
            tokio::spawn(forwarding::run(
                pool.clone(),
                settings.cipher(),
                settings.forwarding.clone(),
                enqueued,
                stop.clone(),
            ))
        });
        // Every role runs these: several processes running them at once only find less to do.
        tokio::spawn(retention::run(
            pool.clone(),
            retention::Periods {
                all: settings.retention,
                raw: settings.raw_retention,
            },
            stop.clone(),
        ));
        tokio::spawn(activity::run(
            pool.clone(),
            settings.roll_up_every,
            stop.clone(),
        ));
        Self { intake, forwarding }
    }

    /// The webhook's writers and tenant cache, when this process serves the webhook.
    pub fn intake(&self) -> Option<&Intake> {
        self.intake.as_ref()
    }

    /// After `stop`: lets the forwarding workers finish their claims (each bounded by the
    /// request timeout; what is left is released) for at most `grace`.
    pub async fn finish(self, grace: Duration) {
        if let Some(forwarding) = self.forwarding {
            let _ = tokio::time::timeout(grace, forwarding).await;
        }
    }
}
