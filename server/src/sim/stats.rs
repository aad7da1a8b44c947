//! Latency and outcome tallies for the load generator.

use std::time::Duration;

#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub latencies_us: Vec<u64>,
    pub ok: u64,
    pub client_errors: u64,
    pub server_errors: u64,
    /// Requests that got no HTTP answer (connection refused, timeout).
    pub failures: u64,
}

impl Tally {
    pub fn record(&mut self, latency: Duration, status: Option<u16>) {
        self.latencies_us
            .push(u64::try_from(latency.as_micros()).unwrap_or(u64::MAX));
        match status {
            Some(200..=299) => self.ok += 1,
            Some(400..=499) => self.client_errors += 1,
            Some(_) => self.server_errors += 1,
            None => self.failures += 1,
        }
    }

    pub fn count(&self) -> u64 {
        self.ok + self.client_errors + self.server_errors + self.failures
    }

    /// The latency below which `quantile` of the requests finished (nearest rank).
    pub fn percentile(&mut self, quantile: f64) -> Duration {
        if self.latencies_us.is_empty() {
            return Duration::ZERO;
        }
        self.latencies_us.sort_unstable();
        let rank = (quantile * self.latencies_us.len() as f64).ceil() as usize;
        let index = rank.clamp(1, self.latencies_us.len()) - 1;
        Duration::from_micros(self.latencies_us[index])
    }
}

pub fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut tally = Tally::default();
        for ms in 1..=100 {
            tally.record(Duration::from_millis(ms), Some(200));
        }
        assert_eq!(tally.percentile(0.5), Duration::from_millis(50));
        assert_eq!(tally.percentile(0.99), Duration::from_millis(99));
        assert_eq!(tally.percentile(1.0), Duration::from_millis(100));
    }

    #[test]
    fn outcomes_are_counted_by_class() {
        let mut tally = Tally::default();
        for status in [Some(200), Some(202), Some(400), Some(503), None] {
            tally.record(Duration::from_millis(1), status);
        }
        assert_eq!(
            (
                tally.ok,
                tally.client_errors,
                tally.server_errors,
                tally.failures
            ),
            (2, 1, 1, 1)
        );
        assert_eq!(tally.count(), 5);
    }
}
