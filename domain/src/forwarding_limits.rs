//! How fast a tenant's events may be forwarded: MoEngage's allowance per workspace. The
//! console's form shows these as its inputs' bounds, and the tenant service refuses a
//! setting outside them whether it comes from the console or the command line.

/// Events per second MoEngage accepts per workspace on /v1/event (about 30,000 a minute).
pub const MAX_RATE_PER_S: u32 = 500;
/// The bulk API (/v1/transition) takes about 60,000 events a minute.
pub const MAX_BULK_RATE_PER_S: u32 = 1000;
/// A tenant needs about its rate times MoEngage's latency in flight (500/s at 200 ms is
/// 100); more only queue up at MoEngage.
pub const MAX_CONCURRENCY: u32 = 128;

/// The highest rate allowed in one mode or the other.
pub fn max_rate_per_s(bulk: bool) -> u32 {
    if bulk {
        MAX_BULK_RATE_PER_S
    } else {
        MAX_RATE_PER_S
    }
}

/// A setting outside MoEngage's allowance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("events per second: a whole number from 1 to {max}{}", if *bulk { " in bulk mode" } else { " (up to 1000 in bulk mode)" })]
    Rate { max: u32, bulk: bool },
    #[error("requests in flight: a whole number from 1 to {MAX_CONCURRENCY}")]
    Concurrency,
}

/// Checks a rate and a concurrency against the limits of the mode chosen.
pub fn check(rate_per_s: u32, concurrency: u32, bulk: bool) -> Result<(), LimitError> {
    check_rate(rate_per_s, bulk)?;
    check_concurrency(concurrency)
}

pub fn check_rate(rate_per_s: u32, bulk: bool) -> Result<(), LimitError> {
    let max = max_rate_per_s(bulk);
    if (1..=max).contains(&rate_per_s) {
        Ok(())
    } else {
        Err(LimitError::Rate { max, bulk })
    }
}

pub fn check_concurrency(concurrency: u32) -> Result<(), LimitError> {
    if (1..=MAX_CONCURRENCY).contains(&concurrency) {
        Ok(())
    } else {
        Err(LimitError::Concurrency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bulk_api_allows_twice_the_rate() {
        assert_eq!(check(500, 32, false), Ok(()));
        assert_eq!(
            check(501, 32, false),
            Err(LimitError::Rate {
                max: 500,
                bulk: false
            })
        );
        assert_eq!(check(1000, 32, true), Ok(()));
        assert!(check(1001, 32, true).is_err());
    }

    #[test]
    fn zero_and_too_many_in_flight_are_refused() {
        assert!(check(0, 1, false).is_err());
        assert_eq!(check(10, 0, false), Err(LimitError::Concurrency));
        assert_eq!(check(10, 129, false), Err(LimitError::Concurrency));
    }
}
