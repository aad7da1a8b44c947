//! Sends one claim's events to MoEngage and records what came of each.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::stream::{self, StreamExt};
use store::forwarding::{self, Attempt, ClaimedEvent, ForwardingProfile, Outcome};
use store::PgPool;
use tokio_util::sync::CancellationToken;

use super::answer::{self, Answer};
use super::Context;
use crate::routes::metrics::{
    EVENTS_DEAD, EVENTS_FORWARDED, EVENTS_RETRIED, FORWARD_DURATION, QUEUE_DEPTH, QUEUE_OLDEST_AGE,
};
use store::forwarding::payload::{self, Request};

pub(super) async fn forward_claim(
    context: &Context,
    profile: ForwardingProfile,
    events: Vec<ClaimedEvent>,
) {
    let Some(tenant) = events.first().map(|e| e.tenant) else {
        return;
    };
    let url = event_url(context, &profile);
    // Past half the lease, requests not yet sent are handed back rather than risking a
    // second worker claiming the same events while they are in flight.
    let deadline = Instant::now() + context.settings.lease / 2;
    let paused = AtomicBool::new(false);
    let requests = if profile.bulk {
        payload::bulk_requests(&events, profile.full_recipient)
    } else {
        payload::requests(&events, profile.full_recipient)
    };
    let concurrency = usize::try_from(profile.concurrency).unwrap_or(1).max(1);
    let sends: Vec<_> = requests
        .into_iter()
        .map(|request| send(context, &profile, &url, request, deadline, &paused))
        .collect();
    let attempts: Vec<Attempt> = stream::iter(sends)
        .buffer_unordered(concurrency)
        .flat_map(stream::iter)
        .collect()
        .await;
    count(&profile, &attempts);
    if let Err(error) = forwarding::record(&context.pool, tenant, &context.worker, &attempts).await
    {
        // The events stay claimed and are due again when the lease ends: sent twice at
        // worst, never lost.
        tracing::warn!(
            error = &error as &dyn std::error::Error,
            "could not record forwarding attempts"
        );
    }
    // After the record, so that a paused tenant's events are already back in the queue.
    if paused.load(Ordering::Acquire) {
        let reason = "MoEngage refused the workspace's Data API key (401)";
        if let Err(error) = forwarding::pause_tenant(&context.pool, tenant, reason).await {
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                "could not pause forwarding"
            );
        }
        tracing::warn!(app_key = %profile.app_key, "forwarding paused until the Data API key is replaced");
    }
}

fn event_url(context: &Context, profile: &ForwardingProfile) -> String {
    let base = context
        .settings
        .base_url
        .as_ref()
        .map(|url| url.as_str().trim_end_matches('/').to_owned())
        .unwrap_or_else(|| profile.data_center.api_base_url());
    // Bulk mode's endpoint answers 200 whatever it does with each element.
    let endpoint = if profile.bulk { "transition" } else { "event" };
    format!("{base}/v1/{endpoint}/{}", profile.app_key)
}

async fn send(
    context: &Context,
    profile: &ForwardingProfile,
    url: &str,
    request: Request<'_>,
    deadline: Instant,
    paused: &AtomicBool,
) -> Vec<Attempt> {
    let Request { body, events, .. } = request;
    if paused.load(Ordering::Acquire) || Instant::now() > deadline {
        return attempts(&events, None, Duration::ZERO, |_| Outcome::Released);
    }
    let Ok(_permit) = context.requests.acquire().await else {
        return attempts(&events, None, Duration::ZERO, |_| Outcome::Released);
    };
    let started = Instant::now();
    let sent = context
        .client
        .post(url)
        .basic_auth(profile.app_key.as_str(), Some(&profile.api_key))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    let (status, answer) = match sent {
        Ok(response) => {
            let status = response.status();
            let retry_after = answer::retry_after(&response);
            let text = response.text().await.unwrap_or_default();
            (
                Some(status.as_u16()),
                answer::classify(status, retry_after.as_deref(), &text),
            )
        }
        Err(error) => (None, answer::no_answer(&error)),
    };
    let latency = started.elapsed();
    metrics::histogram!(FORWARD_DURATION).record(latency.as_secs_f64());
    if matches!(answer, Answer::Unauthorized { .. }) {
        paused.store(true, Ordering::Release);
    }
    let schedule = &context.settings.schedule;
    attempts(&events, status, latency, |event| match &answer {
        Answer::Accepted => Outcome::Forwarded,
        Answer::Permanent { error, reason } => Outcome::Dead {
            error: error.clone(),
            reason: reason.clone(),
        },
        Answer::Unauthorized { error } => Outcome::Paused {
            error: error.clone(),
        },
        Answer::Retry {
            after,
            error,
            reason,
        } => match schedule.next(event.attempt, *after) {
            Some(wait) => Outcome::Retry {
                at: Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default(),
                error: error.clone(),
            },
            None => Outcome::Dead {
                error: format!("gave up after {} attempts; last: {error}", event.attempt),
                reason: format!("gave up after every retry; last: {reason}"),
            },
        },
    })
}

fn attempts(
    events: &[&ClaimedEvent],
    http_status: Option<u16>,
    latency: Duration,
    outcome: impl Fn(&ClaimedEvent) -> Outcome,
) -> Vec<Attempt> {
    events
        .iter()
        .map(|event| Attempt {
            event_id: event.id,
            attempt: event.attempt,
            http_status,
            latency,
            outcome: outcome(event),
        })
        .collect()
}

fn count(profile: &ForwardingProfile, attempts: &[Attempt]) {
    let (mut forwarded, mut retried, mut dead) = (0u64, 0u64, 0u64);
    for attempt in attempts {
        match attempt.outcome {
            Outcome::Forwarded => forwarded += 1,
            Outcome::Retry { .. } => retried += 1,
            Outcome::Dead { .. } => dead += 1,
            Outcome::Paused { .. } | Outcome::Released => {}
        }
    }
    let tenant = profile.app_key.to_string();
    metrics::counter!(EVENTS_FORWARDED, "tenant" => tenant.clone()).increment(forwarded);
    metrics::counter!(EVENTS_RETRIED, "tenant" => tenant.clone()).increment(retried);
    metrics::counter!(EVENTS_DEAD, "tenant" => tenant).increment(dead);
}

/// Publishes each tenant's queue depth and the age of its oldest waiting event.
pub(super) async fn report_queue(pool: PgPool, stop: CancellationToken) {
    let mut ticks = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        match forwarding::queue_depth(&pool).await {
            Ok(depths) => {
                for depth in depths {
                    let age = depth.oldest.map_or(0.0, |oldest| {
                        (Utc::now() - oldest).num_milliseconds() as f64 / 1000.0
                    });
                    metrics::gauge!(QUEUE_DEPTH, "tenant" => depth.app_key.clone())
                        .set(depth.waiting as f64);
                    metrics::gauge!(QUEUE_OLDEST_AGE, "tenant" => depth.app_key).set(age.max(0.0));
                }
            }
            Err(error) => tracing::warn!(
                error = &error as &dyn std::error::Error,
                "could not measure the forwarding queue"
            ),
        }
    }
}
