//! A tenant's pace: events leave at its rate, in bursts of at most a twentieth of a
//! second's worth, so that a one-second window holds the rate and a burst, plus at most
//! what a late request carried: about 105% measured, under 110% by construction (MoEngage
//! counts events per workspace, whatever the requests carry).
//!
//! governor's GCRA does the arithmetic; waiting for a request's events before sending it
//! keeps a slow start or a long pause from turning into a burst.

use std::num::NonZeroU32;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

pub struct Pace {
    limiter: DefaultDirectRateLimiter,
    rate_per_s: u32,
    burst: NonZeroU32,
}

impl Pace {
    pub fn new(rate_per_s: u32) -> Self {
        let rate = NonZeroU32::new(rate_per_s).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(rate.get() / 20).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::direct(Quota::per_second(rate).allow_burst(burst)),
            rate_per_s: rate.get(),
            burst,
        }
    }

    pub fn rate_per_s(&self) -> u32 {
        self.rate_per_s
    }

    /// The most events that leave at once: requests on /v1/event carry no more, so that
    /// a second's window holds at most the rate, a burst and what was late of the last.
    pub fn burst(&self) -> usize {
        self.burst.get() as usize
    }

    /// Waits until `events` may leave, taking them from the budget. A request carrying
    /// more than a burst waits for its events a burst at a time.
    pub async fn until_ready(&self, events: usize) {
        let mut left = u32::try_from(events).unwrap_or(u32::MAX).max(1);
        while left > 0 {
            let take = left.min(self.burst.get());
            let cells = NonZeroU32::new(take).unwrap_or(NonZeroU32::MIN);
            // `take` never exceeds the burst, so the limiter always has the capacity.
            let _ = self.limiter.until_n_ready(cells).await;
            left -= take;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[tokio::test]
    async fn events_leave_at_the_rate_after_a_small_burst() {
        let pace = Pace::new(200);
        let started = Instant::now();
        for _ in 0..60 {
            pace.until_ready(1).await;
        }
        // A burst of 10, then 50 more at 200 a second: about 250 ms.
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(230), "{elapsed:?}");
    }

    #[tokio::test]
    async fn a_request_larger_than_a_burst_waits_for_all_its_events() {
        let pace = Pace::new(100);
        let started = Instant::now();
        pace.until_ready(5).await;
        pace.until_ready(25).await;
        // 5 at once (the burst), then 25 more at 100 a second.
        assert!(started.elapsed() >= Duration::from_millis(240));
    }
}
