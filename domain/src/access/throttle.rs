use std::time::Duration;

/// How sign-in failures under one key (an account, or an IP address) slow the next try:
/// a few free failures, then a delay that doubles with each failure, then a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures that cost nothing (typos).
    pub free_failures: u32,
    /// The delay after the first failure past the free ones; it doubles after each.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// From this many failures on, the key is locked for `lock_for`.
    pub lock_after: u32,
    pub lock_for: Duration,
    /// Failures older than this are forgotten.
    pub forget_after: Duration,
}

/// One account from one address: a person mistyping gets three free tries; guessing
/// from one machine locks that machine out of the account for 15 min, and no one else.
pub const ACCOUNT_ADDRESS_THROTTLE: ThrottlePolicy = ThrottlePolicy {
    free_failures: 3,
    first_delay: Duration::from_secs(2),
    max_delay: Duration::from_secs(60),
    lock_after: 10,
    lock_for: Duration::from_secs(15 * 60),
    forget_after: Duration::from_secs(60 * 60),
};

/// One account from anywhere: the net under guessing spread over many addresses. Loose
/// enough that one attacker (who is held by the two other keys) cannot lock the owner
/// out: the account-wide delays start only after 20 failures in an hour, the lock after
/// 100, which takes many addresses (each is locked out of the account after 10).
pub const ACCOUNT_THROTTLE: ThrottlePolicy = ThrottlePolicy {
    free_failures: 20,
    first_delay: Duration::from_secs(1),
    max_delay: Duration::from_secs(30),
    lock_after: 100,
    lock_for: Duration::from_secs(15 * 60),
    forget_after: Duration::from_secs(60 * 60),
};

/// One address: looser, since an office shares one address, but it stops one machine from
/// trying many accounts.
pub const IP_THROTTLE: ThrottlePolicy = ThrottlePolicy {
    free_failures: 10,
    first_delay: Duration::from_secs(1),
    max_delay: Duration::from_secs(60),
    lock_after: 50,
    lock_for: Duration::from_secs(15 * 60),
    forget_after: Duration::from_secs(60 * 60),
};

impl ThrottlePolicy {
    /// How long to refuse attempts after the `failures`-th failure in a row.
    pub fn wait_after(&self, failures: u32) -> Duration {
        if failures >= self.lock_after {
            return self.lock_for;
        }
        if failures <= self.free_failures {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free_failures - 1).min(16);
        self.first_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_failures_cost_nothing() {
        for failures in 0..=3 {
            assert_eq!(
                ACCOUNT_ADDRESS_THROTTLE.wait_after(failures),
                Duration::ZERO
            );
        }
    }

    #[test]
    fn the_delay_grows_then_the_account_locks() {
        let waits: Vec<u64> = (4..=10)
            .map(|failures| ACCOUNT_ADDRESS_THROTTLE.wait_after(failures).as_secs())
            .collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 60, 900]);
    }

    #[test]
    fn the_delay_never_overflows() {
        let policy = ThrottlePolicy {
            lock_after: u32::MAX,
            ..IP_THROTTLE
        };
        assert_eq!(policy.wait_after(u32::MAX - 1), policy.max_delay);
    }
}
