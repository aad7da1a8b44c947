//! Refused calls (integration disabled, wrong credentials or signature, unknown workspace
//! id), counted for the console. They come in floods: Sinch retries, and anyone who knows
//! or makes up a workspace id can call its URL. Written a call at a time, each call
//! updated its workspace's one `refused_calls` row and waited for that row's lock while
//! holding a pooled connection (6.7 ms on average at 2,000 calls/s to one disabled
//! workspace, BENCHMARKS.md, ingestion run 8). Calls are gathered in memory instead and
//! written once a second per workspace and reason: a process that stops loses at most
//! that second's count.
//!
//! What is gathered is bounded: registered workspaces by the tenants, unknown ids by
//! `UNKNOWN_KEPT` (the table keeps no more apart either); the calls of further unknown ids
//! are gathered under the row for all the others.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use store::webhook_records::{self, RefusalReason, OTHER_UNKNOWN, UNKNOWN_KEPT};
use store::PgPool;

/// How long calls are gathered before they are written.
const GATHER: Duration = Duration::from_secs(1);

type Key = (String, RefusalReason);

#[derive(Default)]
struct Pending {
    calls: HashMap<Key, i64>,
    /// Unknown ids among `calls`, the row for all the others included.
    unknown_ids: i64,
}

#[derive(Clone, Default)]
pub struct RefusedCalls {
    pending: Arc<Mutex<Pending>>,
}

impl RefusedCalls {
    /// Counts a refused call; the first of a second schedules the write of them all.
    pub fn called(&self, pool: &PgPool, app_key: &str, reason: RefusalReason) {
        self.add(pool, app_key, reason, 1);
    }

    /// Counts `calls` refused calls at once.
    pub fn add(&self, pool: &PgPool, app_key: &str, reason: RefusalReason, calls: i64) {
        let scheduled = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            let mut key = (app_key.to_owned(), reason);
            let unknown = reason == RefusalReason::UnknownTenant;
            if unknown && !pending.calls.contains_key(&key) && pending.unknown_ids >= UNKNOWN_KEPT {
                key.0 = OTHER_UNKNOWN.to_owned();
            }
            let first = !pending.calls.contains_key(&key);
            *pending.calls.entry(key.clone()).or_insert(0) += calls;
            if first && unknown {
                pending.unknown_ids += 1;
            }
            first.then_some(key)
        };
        if let Some(key) = scheduled {
            let pending = Arc::clone(&self.pending);
            let pool = pool.clone();
            tokio::spawn(async move {
                tokio::time::sleep(GATHER).await;
                let calls = {
                    let mut pending = pending.lock().unwrap_or_else(PoisonError::into_inner);
                    if key.1 == RefusalReason::UnknownTenant {
                        pending.unknown_ids -= 1;
                    }
                    pending.calls.remove(&key).unwrap_or(0)
                };
                write(&pool, key, calls).await;
            });
        }
    }

    /// Workspaces and reasons gathered now, waiting for their write.
    pub fn gathered(&self) -> usize {
        let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.calls.len()
    }
}

async fn write(pool: &PgPool, (app_key, reason): Key, calls: i64) {
    let written = match reason {
        RefusalReason::UnknownTenant => webhook_records::count_unknown(pool, &app_key, calls).await,
        _ => webhook_records::count_refused(pool, &app_key, reason, calls).await,
    };
    if let Err(error) = written {
        tracing::warn!(
            error = &error as &dyn std::error::Error,
            calls,
            reason = reason.code(),
            "could not count refused calls"
        );
    }
}
