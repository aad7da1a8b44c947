//! When a failed event is tried again: a configurable schedule with jitter.

use std::str::FromStr;
use std::time::Duration;

/// Delays after the first, second, ... failed attempt; when they run out the event is dead.
#[derive(Debug, Clone, PartialEq)]
pub struct RetrySchedule(Vec<Duration>);

impl Default for RetrySchedule {
    /// About 9 hours in all: past a typical MoEngage incident, short of a day.
    fn default() -> Self {
        Self(
            [10, 60, 300, 1800, 7200, 21600]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
        )
    }
}

impl RetrySchedule {
    /// The wait after failed attempt number `attempt` (from 1), or None when the schedule
    /// is exhausted. A Retry-After from MoEngage is honoured when it asks for longer.
    /// Jitter (up to a fifth either way) keeps retries of many events from arriving
    /// together.
    pub fn next(&self, attempt: i32, retry_after: Option<Duration>) -> Option<Duration> {
        let index = usize::try_from(attempt.max(1) - 1).ok()?;
        let base = *self.0.get(index)?;
        let jittered = base.mul_f64(0.8 + 0.4 * jitter());
        Some(retry_after.map_or(jittered, |wait| wait.max(jittered)))
    }

    pub fn attempts(&self) -> usize {
        self.0.len() + 1
    }
}

/// A number in [0, 1) that differs between calls; no need for a real random generator.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .elapsed()
            .map_or(0, |d| d.as_nanos()),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// `10s,1m,5m,30m,2h`: each item a number with s, m or h.
impl FromStr for RetrySchedule {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let delays = raw
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                let (number, unit) = item.split_at(item.len() - 1);
                let number: u64 = number
                    .parse()
                    .map_err(|_| format!("`{item}` is not a number followed by s, m or h"))?;
                let seconds = match unit {
                    "s" => number,
                    "m" => number * 60,
                    "h" => number * 3600,
                    _ => return Err(format!("`{item}` must end in s, m or h")),
                };
                Ok(Duration::from_secs(seconds))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if delays.is_empty() {
            return Err("needs at least one delay, e.g. 10s,1m,5m".to_owned());
        }
        Ok(Self(delays))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_is_read_from_delays_with_units() {
        let schedule: RetrySchedule = "1s, 2m,3h".parse().expect("valid");
        assert_eq!(
            schedule,
            RetrySchedule(vec![
                Duration::from_secs(1),
                Duration::from_secs(120),
                Duration::from_secs(10800)
            ])
        );
        assert!("".parse::<RetrySchedule>().is_err());
        assert!("5x".parse::<RetrySchedule>().is_err());
        assert!("m".parse::<RetrySchedule>().is_err());
    }

    #[test]
    fn delays_grow_with_jitter_and_run_out() {
        let schedule: RetrySchedule = "10s,100s".parse().expect("valid");
        let first = schedule.next(1, None).expect("a delay");
        assert!(first >= Duration::from_secs(8) && first <= Duration::from_secs(12));
        let second = schedule.next(2, None).expect("a delay");
        assert!(second >= Duration::from_secs(80));
        assert_eq!(schedule.next(3, None), None, "exhausted");
        assert_eq!(schedule.attempts(), 3);
    }

    #[test]
    fn a_longer_retry_after_wins() {
        let schedule: RetrySchedule = "1s".parse().expect("valid");
        let wait = schedule.next(1, Some(Duration::from_secs(30)));
        assert_eq!(wait, Some(Duration::from_secs(30)));
    }
}
