//! Calls to workspace ids no tenant has: a customer who pasted the callback URL before
//! being registered (customer success wants to see them), or made-up ids (which must not
//! grow a table or the process's memory).
//!
//! Each process counts calls per unknown id in a bounded cache for an hour; an id is
//! recorded in `refused_calls` only once it has called `RECORD_AFTER` times within the
//! hour, and the table keeps at most `store::webhook_records::UNKNOWN_KEPT` such ids (calls
//! for more are added to one row for all the others). A flood of random ids, each calling
//! once, writes nothing; the calls of ids past the threshold are gathered and written once
//! a second (`refusals`), so a flood of them never waits on a row lock.

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::AppKey;
use quick_cache::sync::Cache;

/// Calls within an hour that make an unknown id worth showing.
pub const RECORD_AFTER: u32 = 3;
/// Unknown ids counted at once per process; past it the least used are forgotten.
const COUNTED: usize = 10_000;
const WINDOW: Duration = Duration::from_secs(3600);

#[derive(Clone)]
pub struct UnknownWorkspaces {
    calls: Arc<Cache<AppKey, (u32, Instant)>>,
}

impl Default for UnknownWorkspaces {
    fn default() -> Self {
        Self {
            calls: Arc::new(Cache::new(COUNTED)),
        }
    }
}

impl UnknownWorkspaces {
    /// Counts a call to `app_key`; returns the calls to record once the id has called
    /// often enough: the calls before the threshold with it, then one at a time.
    pub fn called(&self, app_key: &AppKey) -> Option<i64> {
        let now = Instant::now();
        let calls = match self.calls.get(app_key) {
            Some((calls, since)) if now.duration_since(since) < WINDOW => {
                self.calls.insert(app_key.clone(), (calls + 1, since));
                calls + 1
            }
            _ => {
                self.calls.insert(app_key.clone(), (1, now));
                1
            }
        };
        match calls {
            n if n < RECORD_AFTER => None,
            n if n == RECORD_AFTER => Some(i64::from(n)),
            _ => Some(1),
        }
    }

    /// Unknown ids being counted now (bounded by the cache's capacity).
    pub fn counted(&self) -> usize {
        self.calls.len()
    }
}
