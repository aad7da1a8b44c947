//! Refused calls of registered workspaces (integration disabled, wrong credentials or
//! signature), counted for the console. They come in floods: Sinch retries, and anyone
//! who knows a workspace id can call its URL. Written a call at a time, each call updated
//! the workspace's one `refused_calls` row and waited for that row's lock while holding a
//! pooled connection (6.7 ms on average at 2,000 calls/s to one disabled workspace,
//! BENCHMARKS.md, ingestion run 8). Calls are gathered in memory instead and written once
//! a second per workspace and reason: a process that stops loses at most that second's
//! count. Only registered workspaces get here, so what is gathered is bounded by the
//! tenants (unknown ids are counted apart, in `unknown`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use store::webhook_records::{self, RefusalReason};
use store::PgPool;

/// How long calls are gathered before they are written.
const GATHER: Duration = Duration::from_secs(1);

type Pending = HashMap<(String, RefusalReason), i64>;

#[derive(Clone, Default)]
pub struct RefusedCalls {
    pending: Arc<Mutex<Pending>>,
}

impl RefusedCalls {
    /// Counts a refused call; the first of a second schedules the write of them all.
    pub fn called(&self, pool: &PgPool, app_key: &str, reason: RefusalReason) {
        let key = (app_key.to_owned(), reason);
        let first = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            let calls = pending.entry(key.clone()).or_insert(0);
            *calls += 1;
            *calls == 1
        };
        if first {
            let pending = Arc::clone(&self.pending);
            let pool = pool.clone();
            tokio::spawn(async move {
                tokio::time::sleep(GATHER).await;
                let calls = pending
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&key)
                    .unwrap_or(0);
                let (app_key, reason) = key;
                if let Err(error) =
                    webhook_records::count_refused(&pool, &app_key, reason, calls).await
                {
                    tracing::warn!(
                        error = &error as &dyn std::error::Error,
                        calls,
                        "could not count refused calls"
                    );
                }
            });
        }
    }
}
