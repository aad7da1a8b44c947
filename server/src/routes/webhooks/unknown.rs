//! Calls to workspace ids no tenant has: a customer who pasted the callback URL before
//! being registered (customer success wants to see them), or made-up ids (which must not
//! grow a table or the process's memory).
//!
//! Each process counts calls per unknown id in a bounded cache for an hour; an id is
//! recorded in `refused_calls` only once it has called `RECORD_AFTER` times within the
//! hour, and the table keeps at most `store::webhook_records::UNKNOWN_KEPT` such ids (calls
//! for more are added to one row for all the others). A flood of random ids, each calling
//! once, writes nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::AppKey;
use quick_cache::sync::Cache;
use store::{webhook_records, PgPool};

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
    /// Counts a call to `app_key`, recording it once the id has called often enough.
    pub async fn called(&self, pool: &PgPool, app_key: &AppKey) {
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
        // The calls before the threshold are written with it, one at a time after it.
        let record = match calls {
            n if n < RECORD_AFTER => return,
            n if n == RECORD_AFTER => i64::from(n),
            _ => 1,
        };
        if let Err(error) = webhook_records::count_unknown(pool, app_key.as_str(), record).await {
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                "could not count a call to an unknown workspace"
            );
        }
    }

    /// Unknown ids being counted now (bounded by the cache's capacity).
    pub fn counted(&self) -> usize {
        self.calls.len()
    }
}
