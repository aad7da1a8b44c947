//! Drives one tenant's forwarding while this process holds its lease.
//!
//! The driver keeps about a second of the tenant's events claimed ahead, built into
//! requests, so that a request is ready whenever a slot frees; sends them paced at the
//! tenant's rate with up to its in-flight limit (less while the circuit breaker is open
//! or ramping up); and hands the results to a recorder that writes them in batches. It
//! gives its lease up after a while with nothing to do, and on stop hands back what it
//! has not sent and lets the requests in flight finish.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use store::forwarding::{self, ClaimedEvent, ForwardingProfile, Outcome};
use store::moengage::payload;
use store::tenants::TenantId;
use tokio::sync::{watch, Notify};
use tokio::task::{JoinError, JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;

use super::breaker::{Breaker, Verdict};
use super::pace::Pace;
use super::recorder::Recorder;
use super::send::{self, Carried, Ready, Sent};
use super::Context;
use crate::telemetry::metrics::FORWARD_FAILING;

/// With nothing to send for this long, the driver gives its lease up.
const IDLE_EXIT: Duration = Duration::from_secs(10);
/// The window the achieved rate is measured over.
const RATE_WINDOW: Duration = Duration::from_secs(10);

/// What the driver measured, for the lease row and the console.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub rate_now: f32,
    pub failing_since: Option<DateTime<Utc>>,
}

/// The scheduler's side of a running driver.
pub struct Handles {
    pub profile: watch::Sender<Arc<ForwardingProfile>>,
    pub wake: Arc<Notify>,
    /// Cancelled when the process stops or the lease is lost.
    pub stop: CancellationToken,
    pub stats: watch::Receiver<Stats>,
    pub task: JoinHandle<()>,
}

pub fn start(
    context: Arc<Context>,
    tenant: TenantId,
    profile: Arc<ForwardingProfile>,
    stop: CancellationToken,
) -> Handles {
    let (profile_tx, profile_rx) = watch::channel(profile.clone());
    let (stats_tx, stats_rx) = watch::channel(Stats::default());
    let wake = Arc::new(Notify::new());
    metrics::gauge!(FORWARD_FAILING, "tenant" => profile.app_key.to_string()).set(0.0);
    let driver = Driver {
        recorder: Recorder::start(
            context.pool.clone(),
            tenant,
            profile.app_key.to_string(),
            context.worker.clone(),
        ),
        breaker: Breaker::new(in_flight(&profile)),
        pace: Pace::new(profile.rate_per_s),
        context,
        tenant,
        profile: profile_rx,
        wake: wake.clone(),
        stop: stop.clone(),
        stats: stats_tx,
        ready: VecDeque::new(),
        buffered: 0,
        in_flight: JoinSet::new(),
        claiming: None,
        drained: false,
        idle_since: None,
        forwarded: VecDeque::new(),
        started: Instant::now(),
        paused: false,
    };
    Handles {
        profile: profile_tx,
        wake,
        stop,
        stats: stats_rx,
        task: tokio::spawn(driver.run()),
    }
}

fn in_flight(profile: &ForwardingProfile) -> usize {
    usize::try_from(profile.concurrency).unwrap_or(1).max(1)
}

/// A claim under way, and how many events it asked for.
struct Claiming {
    task: JoinHandle<Result<Vec<ClaimedEvent>, sqlx::Error>>,
    asked: usize,
}

struct Driver {
    context: Arc<Context>,
    tenant: TenantId,
    profile: watch::Receiver<Arc<ForwardingProfile>>,
    wake: Arc<Notify>,
    stop: CancellationToken,
    stats: watch::Sender<Stats>,
    /// Requests built from claimed events, oldest first.
    ready: VecDeque<Ready>,
    /// Events in `ready`.
    buffered: usize,
    in_flight: JoinSet<Sent>,
    claiming: Option<Claiming>,
    /// The last claim found fewer events than it asked for: claim again only when woken.
    drained: bool,
    idle_since: Option<Instant>,
    /// Events MoEngage accepted, by when: the achieved rate.
    forwarded: VecDeque<(Instant, usize)>,
    started: Instant,
    /// MoEngage refused the key: send nothing more, pause the tenant once all is recorded.
    paused: bool,
    breaker: Breaker,
    pace: Pace,
    recorder: Recorder,
}

/// What woke a waiting driver.
enum Woken {
    Stop,
    Sent(Result<Sent, JoinError>),
    Claimed(Result<Result<Vec<ClaimedEvent>, sqlx::Error>, JoinError>),
    Due,
    Timer,
}

impl Driver {
    async fn run(mut self) {
        loop {
            let profile = self.profile.borrow_and_update().clone();
            self.follow(&profile);
            while let Some(done) = self.in_flight.try_join_next() {
                self.on_sent(done);
            }
            if self.paused || self.stop.is_cancelled() {
                break;
            }
            self.claim_if_low(&profile);
            let now = Instant::now();
            if !self.ready.is_empty() && self.in_flight.len() < self.breaker.allowed(now) {
                self.idle_since = None;
                if !self.launch(&profile).await {
                    break;
                }
                continue;
            }
            if self.idle(now) {
                break;
            }
            match self.wait().await {
                Woken::Stop => break,
                Woken::Sent(done) => self.on_sent(done),
                Woken::Claimed(claimed) => self.on_claimed(claimed, &profile),
                Woken::Due => self.drained = false,
                Woken::Timer => {}
            }
        }
        self.finish().await;
    }

    /// Follows changed settings: the rate and the in-flight limit.
    fn follow(&mut self, profile: &ForwardingProfile) {
        if self.pace.rate_per_s() != profile.rate_per_s {
            self.pace = Pace::new(profile.rate_per_s);
        }
        self.breaker.set_max_in_flight(in_flight(profile));
    }

    /// True once there has been nothing to do for `IDLE_EXIT`.
    fn idle(&mut self, now: Instant) -> bool {
        let nothing = self.ready.is_empty()
            && self.in_flight.is_empty()
            && self.claiming.is_none()
            && self.drained;
        if !nothing {
            self.idle_since = None;
            return false;
        }
        let since = *self.idle_since.get_or_insert(now);
        now.duration_since(since) >= IDLE_EXIT
    }

    async fn wait(&mut self) -> Woken {
        // The next probe, or a second from now (to notice being idle); a probe time already
        // past with nothing to probe with waits for due events instead of spinning.
        let now = Instant::now();
        let timer = self
            .breaker
            .next_probe()
            .filter(|at| *at > now)
            .unwrap_or(now + Duration::from_secs(1));
        let Self {
            stop,
            in_flight,
            claiming,
            wake,
            ..
        } = self;
        tokio::select! {
            _ = stop.cancelled() => Woken::Stop,
            Some(done) = in_flight.join_next(), if !in_flight.is_empty() => Woken::Sent(done),
            claimed = async {
                match claiming.as_mut() {
                    Some(claiming) => (&mut claiming.task).await,
                    None => std::future::pending().await,
                }
            }, if claiming.is_some() => Woken::Claimed(claimed),
            _ = wake.notified() => Woken::Due,
            _ = tokio::time::sleep_until(timer.into()) => Woken::Timer,
        }
    }

    /// Claims ahead once less than half a second's worth is ready (one request's worth
    /// while the breaker is open: the probe).
    fn claim_if_low(&mut self, profile: &ForwardingProfile) {
        if self.claiming.is_some() || self.drained || self.breaker.allowed(Instant::now()) == 0 {
            return;
        }
        let settings = &self.context.settings;
        let target = if self.breaker.failing_since().is_some() {
            1
        } else {
            usize::try_from(profile.rate_per_s)
                .unwrap_or(1)
                .min(settings.claim_limit as usize)
                .max(1)
        };
        if self.buffered > 0 && self.buffered >= target / 2 {
            return;
        }
        let asked = target.saturating_sub(self.buffered).max(1);
        let (pool, tenant, lease) = (self.context.pool.clone(), self.tenant, settings.lease);
        let worker = self.context.worker.clone();
        let task = tokio::spawn(async move {
            forwarding::claim(&pool, tenant, asked as i64, lease, &worker).await
        });
        self.claiming = Some(Claiming { task, asked });
    }

    fn on_claimed(
        &mut self,
        claimed: Result<Result<Vec<ClaimedEvent>, sqlx::Error>, JoinError>,
        profile: &ForwardingProfile,
    ) {
        let asked = self.claiming.take().map_or(0, |c| c.asked);
        let events = match claimed {
            Ok(Ok(events)) => events,
            Ok(Err(error)) => {
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    "forwarding: could not claim events; trying again when woken"
                );
                self.drained = true;
                return;
            }
            Err(error) => {
                tracing::error!(error = %error, "forwarding: a claim's task failed");
                self.drained = true;
                return;
            }
        };
        self.drained = events.len() < asked;
        let claimed_at = Instant::now();
        // /v1/event requests carry one customer's events, at most a burst of them. Bulk
        // requests carry up to a quarter of a second's events (about 75 KB at 1,000/s, near
        // the 100 KB limit): MoEngage counts the bulk API's events per minute, where that
        // is within 0.5% of the rate.
        let bulk_events = usize::try_from(profile.rate_per_s / 4).unwrap_or(1).max(1);
        let per_chunk = if profile.bulk {
            bulk_events
        } else {
            events.len().max(1)
        };
        for chunk in events.chunks(per_chunk) {
            let requests = if profile.bulk {
                payload::bulk_requests(chunk, profile.full_recipient)
            } else {
                payload::requests(chunk, profile.full_recipient, self.pace.burst())
            };
            for request in requests {
                let events: Vec<Carried> =
                    request.events.iter().copied().map(Carried::from).collect();
                self.buffered += events.len();
                self.ready.push_back(Ready {
                    body: request.body,
                    events,
                    claimed_at,
                });
            }
        }
    }

    /// Sends the oldest ready request once the pace and a process-wide slot allow.
    /// Returns false when stopped while waiting.
    async fn launch(&mut self, profile: &Arc<ForwardingProfile>) -> bool {
        let Some(request) = self.ready.pop_front() else {
            return true;
        };
        self.buffered -= request.events.len();
        // Past half the lease another worker could claim these events while in flight.
        if request.claimed_at.elapsed() > self.context.settings.lease / 2 {
            self.recorder.record(send::released(&request.events));
            return true;
        }
        let permit = tokio::select! {
            _ = self.stop.cancelled() => None,
            permit = async {
                self.pace.until_ready(request.events.len()).await;
                self.context.requests.clone().acquire_owned().await.ok()
            } => permit,
        };
        let Some(permit) = permit else {
            self.recorder.record(send::released(&request.events));
            return false;
        };
        self.breaker.sending();
        let (context, profile) = (self.context.clone(), profile.clone());
        let url = send::event_url(&context, &profile);
        self.in_flight.spawn(async move {
            let sent = send::send(&context, &url, &profile, request).await;
            drop(permit);
            sent
        });
        true
    }

    fn on_sent(&mut self, done: Result<Sent, JoinError>) {
        let sent = match done {
            Ok(sent) => sent,
            // Its events stay claimed and come back when their lease ends.
            Err(error) => {
                tracing::error!(error = %error, "forwarding: a request's task failed");
                return;
            }
        };
        let now = Instant::now();
        let was_failing = self.breaker.failing_since().is_some();
        let opened = self.breaker.record(sent.verdict, now);
        let closed = was_failing && self.breaker.failing_since().is_none();
        if opened || closed {
            let app_key = self.profile.borrow().app_key.to_string();
            if opened {
                tracing::warn!(%app_key, "forwarding: MoEngage keeps failing for this workspace; probing with one request at a time");
            } else {
                tracing::info!(%app_key, "forwarding: MoEngage answers again; ramping back up");
            }
            let failing = if opened { 1.0 } else { 0.0 };
            metrics::gauge!(FORWARD_FAILING, "tenant" => app_key).set(failing);
        }
        let forwarded = sent
            .attempts
            .iter()
            .filter(|a| a.outcome == Outcome::Forwarded)
            .count();
        self.forwarded.push_back((now, forwarded));
        while self
            .forwarded
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) > RATE_WINDOW)
        {
            self.forwarded.pop_front();
        }
        let window = now.duration_since(self.started).min(RATE_WINDOW);
        let total: usize = self.forwarded.iter().map(|(_, n)| n).sum();
        let stats = Stats {
            rate_now: (total as f64 / window.as_secs_f64().max(1.0)) as f32,
            failing_since: self.breaker.failing_since(),
        };
        self.stats.send_if_modified(|current| {
            let changed = *current != stats;
            *current = stats;
            changed
        });
        self.paused |= sent.unauthorized;
        if sent.verdict == Verdict::Failed && self.breaker.failing_since().is_some() {
            // Opened now, or a probe failed: what was claimed ahead waits in the queue, not
            // in memory.
            self.hand_back();
        }
        self.recorder.record(sent.attempts);
    }

    /// Hands back every request not yet sent: due again at once, attempts not counted.
    fn hand_back(&mut self) {
        for request in self.ready.drain(..) {
            self.recorder.record(send::released(&request.events));
        }
        self.buffered = 0;
    }

    async fn finish(mut self) {
        self.hand_back();
        if let Some(claiming) = self.claiming.take() {
            if let Ok(Ok(events)) = claiming.task.await {
                let carried: Vec<Carried> = events.iter().map(Carried::from).collect();
                self.recorder.record(send::released(&carried));
            }
        }
        // Requests in flight finish: each is bounded by the request timeout.
        while let Some(done) = self.in_flight.join_next().await {
            if let Ok(sent) = done {
                self.paused |= sent.unauthorized;
                self.recorder.record(sent.attempts);
            }
        }
        let app_key = self.profile.borrow().app_key.to_string();
        let (pool, tenant, worker) = (
            self.context.pool.clone(),
            self.tenant,
            self.context.worker.clone(),
        );
        self.recorder.finish().await;
        // After the record, so that a paused tenant's events are already back in the queue.
        if self.paused {
            let reason = forwarding::REFUSED_KEY_REASON;
            if let Err(error) = forwarding::pause_tenant(&pool, tenant, reason).await {
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    "could not pause forwarding"
                );
            }
            tracing::warn!(%app_key, "forwarding paused until the Data API key is replaced");
        }
        metrics::gauge!(FORWARD_FAILING, "tenant" => app_key).set(0.0);
        if !self.stop.is_cancelled() {
            // Idle or paused: any process may take the tenant when it has work again.
            if let Err(error) = forwarding::leases::give_up(&pool, tenant, &worker).await {
                tracing::warn!(
                    error = &error as &dyn std::error::Error,
                    "could not give up a tenant's lease; it lapses by itself"
                );
            }
        }
    }
}
