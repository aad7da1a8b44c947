//! One request to MoEngage and what came of each event it carried.

use std::time::{Duration, Instant};

use chrono::Utc;
use store::forwarding::{Attempt, ClaimedEvent, ForwardingProfile, Outcome};

use super::answer::{self, Answer};
use super::breaker::Verdict;
use super::Context;
use crate::telemetry::metrics::FORWARD_DURATION;

/// An event as a request carries it: its id and this attempt's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Carried {
    pub id: i64,
    pub attempt: i32,
}

impl From<&ClaimedEvent> for Carried {
    fn from(event: &ClaimedEvent) -> Self {
        Self {
            id: event.id,
            attempt: event.attempt,
        }
    }
}

/// A request ready to go: its body and the events in it.
#[derive(Debug)]
pub struct Ready {
    pub body: Vec<u8>,
    pub events: Vec<Carried>,
    /// When its events were claimed: past half the lease they are handed back unsent.
    pub claimed_at: Instant,
}

/// What a request came to.
#[derive(Debug)]
pub struct Sent {
    pub attempts: Vec<Attempt>,
    pub verdict: Verdict,
    /// MoEngage refused the Data API key (401).
    pub unauthorized: bool,
}

/// Where a tenant's events go (`store::moengage::DataApi`: the configured base URL, or the
/// tenant's data center; the bulk endpoint in bulk mode).
pub fn event_url(context: &Context, profile: &ForwardingProfile) -> String {
    context
        .data_api
        .events_url(profile.data_center, &profile.app_key, profile.bulk)
}

pub async fn send(
    context: &Context,
    url: &str,
    profile: &ForwardingProfile,
    request: Ready,
) -> Sent {
    let Ready { body, events, .. } = request;
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
    let verdict = match (&answer, status) {
        (Answer::Retry { .. }, Some(429)) => Verdict::Neutral,
        (Answer::Retry { .. }, _) => Verdict::Failed,
        _ => Verdict::Answered,
    };
    let schedule = &context.settings.schedule;
    let attempts = attempts(&events, status, latency, |event| match &answer {
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
    });
    Sent {
        attempts,
        verdict,
        unauthorized: matches!(answer, Answer::Unauthorized { .. }),
    }
}

/// Events handed back unsent: due again at once, the attempt not counted.
pub fn released(events: &[Carried]) -> Vec<Attempt> {
    attempts(events, None, Duration::ZERO, |_| Outcome::Released)
}

fn attempts(
    events: &[Carried],
    http_status: Option<u16>,
    latency: Duration,
    outcome: impl Fn(&Carried) -> Outcome,
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
