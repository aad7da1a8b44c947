//! A tenant's circuit breaker: when MoEngage keeps failing for a workspace (5xx, timeouts,
//! no connection), stop sending it everything at once and probe with one request at a
//! time until it answers again, then ramp back up. Other tenants never notice: each has
//! its own breaker and its own requests in flight.
//!
//! Opening takes a run of `OPEN_AFTER` failures in a row. Five would be too few: with 20%
//! of requests failing at random (a brownout MoEngage recovers from request by request),
//! five in a row come every few seconds at 450 requests a second, and each false opening
//! costs a ramp-up; ten in a row come about once in three hours at that rate, while a real
//! outage opens the breaker after ten requests.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// Failures in a row that open the breaker.
pub const OPEN_AFTER: u32 = 10;
/// The first wait between probes; doubled after each failed probe up to `MAX_PROBE_WAIT`.
const FIRST_PROBE_WAIT: Duration = Duration::from_secs(1);
const MAX_PROBE_WAIT: Duration = Duration::from_secs(30);

/// What came of one request, as the breaker counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// MoEngage answered, whatever it said of the events (2xx, 4xx): it is up.
    Answered,
    /// 5xx, a timeout or no connection.
    Failed,
    /// Says nothing of MoEngage's health (429: too fast; a request not sent).
    Neutral,
}

#[derive(Debug)]
pub struct Breaker {
    max_in_flight: usize,
    /// The current limit: the maximum, or less while ramping back up after an outage.
    limit: usize,
    failures_in_a_row: u32,
    open: Option<Open>,
}

#[derive(Debug)]
struct Open {
    since: DateTime<Utc>,
    next_probe: Instant,
    wait: Duration,
    /// A probe is in flight: no other request until it is answered.
    probing: bool,
}

impl Breaker {
    pub fn new(max_in_flight: usize) -> Self {
        let max_in_flight = max_in_flight.max(1);
        Self {
            max_in_flight,
            limit: max_in_flight,
            failures_in_a_row: 0,
            open: None,
        }
    }

    /// Follows a changed setting.
    pub fn set_max_in_flight(&mut self, max_in_flight: usize) {
        self.max_in_flight = max_in_flight.max(1);
        self.limit = self.limit.min(self.max_in_flight);
    }

    /// Requests that may be in flight now (0 while open and waiting to probe).
    pub fn allowed(&self, now: Instant) -> usize {
        match &self.open {
            None => self.limit,
            Some(open) if !open.probing && now >= open.next_probe => 1,
            Some(_) => 0,
        }
    }

    /// When the next probe may go, while open.
    pub fn next_probe(&self) -> Option<Instant> {
        self.open
            .as_ref()
            .filter(|open| !open.probing)
            .map(|open| open.next_probe)
    }

    /// Since when MoEngage has been failing, while open.
    pub fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.open.as_ref().map(|open| open.since)
    }

    /// A request is leaving; while open it is the probe.
    pub fn sending(&mut self) {
        if let Some(open) = &mut self.open {
            open.probing = true;
        }
    }

    /// Returns true when this verdict opened the breaker.
    pub fn record(&mut self, verdict: Verdict, now: Instant) -> bool {
        match verdict {
            Verdict::Neutral => {
                if let Some(open) = &mut self.open {
                    open.probing = false;
                }
                false
            }
            Verdict::Answered => {
                self.failures_in_a_row = 0;
                if self.open.take().is_some() {
                    // Closed: start again from one request and double with every answer.
                    self.limit = 1;
                } else {
                    self.limit = (self.limit * 2).min(self.max_in_flight);
                }
                false
            }
            Verdict::Failed => {
                self.failures_in_a_row = self.failures_in_a_row.saturating_add(1);
                match &mut self.open {
                    // A failed probe doubles the wait; requests sent before the breaker
                    // opened may still fail meanwhile, and say nothing new.
                    Some(open) if open.probing => {
                        open.probing = false;
                        open.wait = (open.wait * 2).min(MAX_PROBE_WAIT);
                        open.next_probe = now + open.wait;
                        false
                    }
                    Some(_) => false,
                    None if self.failures_in_a_row >= OPEN_AFTER => {
                        self.open = Some(Open {
                            since: Utc::now(),
                            next_probe: now + FIRST_PROBE_WAIT,
                            wait: FIRST_PROBE_WAIT,
                            probing: false,
                        });
                        true
                    }
                    None => false,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_failures_opens_it_and_a_probe_closes_it_then_it_ramps_up() {
        let mut breaker = Breaker::new(32);
        let now = Instant::now();
        assert_eq!(breaker.allowed(now), 32);
        for _ in 0..OPEN_AFTER - 1 {
            assert!(!breaker.record(Verdict::Failed, now));
        }
        assert_eq!(breaker.allowed(now), 32, "not yet a run");
        assert!(breaker.record(Verdict::Failed, now), "the run opens it");
        assert!(breaker.failing_since().is_some());
        assert_eq!(breaker.allowed(now), 0, "waits before probing");
        let later = now + Duration::from_secs(1);
        assert_eq!(breaker.allowed(later), 1, "one probe");
        breaker.sending();
        assert_eq!(breaker.allowed(later), 0, "only one probe at a time");
        breaker.record(Verdict::Failed, later);
        assert_eq!(
            breaker.allowed(later + Duration::from_secs(1)),
            0,
            "the wait doubled"
        );
        let probe = later + Duration::from_secs(2);
        assert_eq!(breaker.allowed(probe), 1);
        breaker.sending();
        breaker.record(Verdict::Answered, probe);
        assert_eq!(breaker.failing_since(), None, "closed");
        let mut limits = vec![breaker.allowed(probe)];
        for _ in 0..6 {
            breaker.record(Verdict::Answered, probe);
            limits.push(breaker.allowed(probe));
        }
        assert_eq!(limits, [1, 2, 4, 8, 16, 32, 32], "ramps back up");
    }

    #[test]
    fn scattered_failures_and_rate_limits_do_not_open_it() {
        let mut breaker = Breaker::new(8);
        let now = Instant::now();
        for _ in 0..100 {
            for _ in 0..OPEN_AFTER - 1 {
                breaker.record(Verdict::Failed, now);
            }
            breaker.record(Verdict::Answered, now);
            breaker.record(Verdict::Neutral, now);
        }
        assert_eq!(breaker.failing_since(), None);
        assert_eq!(breaker.allowed(now), 8);
    }
}
