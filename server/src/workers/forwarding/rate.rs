//! A token bucket per tenant: events may leave at the tenant's rate, with a burst of one
//! second's worth.

use std::time::Instant;

#[derive(Debug)]
pub struct TokenBucket {
    rate_per_s: f64,
    tokens: f64,
    refilled: Instant,
}

impl TokenBucket {
    pub fn new(rate_per_s: u32) -> Self {
        let rate_per_s = f64::from(rate_per_s.max(1));
        Self {
            rate_per_s,
            tokens: rate_per_s,
            refilled: Instant::now(),
        }
    }

    /// Follows a changed setting without losing what is in the bucket.
    pub fn set_rate(&mut self, rate_per_s: u32) {
        self.rate_per_s = f64::from(rate_per_s.max(1));
    }

    /// Whole events that may leave now.
    pub fn available(&mut self) -> u32 {
        self.refill(Instant::now());
        self.tokens.floor() as u32
    }

    pub fn take(&mut self, events: u32) {
        self.tokens -= f64::from(events);
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate_per_s).min(self.rate_per_s);
        self.refilled = now;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_full_bucket_holds_one_second_and_refills_at_the_rate() {
        let mut bucket = TokenBucket::new(100);
        assert_eq!(bucket.available(), 100);
        bucket.take(100);
        let start = bucket.refilled;
        bucket.refill(start + Duration::from_millis(250));
        assert_eq!(bucket.tokens.floor() as u32, 25);
        bucket.refill(start + Duration::from_secs(10));
        assert_eq!(
            bucket.tokens.floor() as u32,
            100,
            "never more than a second's worth"
        );
    }
}
