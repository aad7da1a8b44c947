//! Tenants in memory for the webhook's hot path, kept current by Postgres notifications.
//!
//! Every change to the tenants table sends `NOTIFY dlrhub_tenant_changed` with the app_key
//! (a trigger, so no code path can forget), and every process evicts that entry when it
//! hears it: disabling an integration or rotating credentials takes effect within
//! milliseconds on all processes. Whenever the process is not sure to have heard every
//! notification (before the first LISTEN, after a lost connection) it empties the cache and
//! reads through to the database until it listens again. Entries also expire after
//! `MAX_AGE`, a bound on staleness should a notification ever be missed anyway.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use domain::AppKey;
use quick_cache::sync::Cache;
use sqlx::postgres::PgListener;
use sqlx::PgPool;

use crate::tenants::{self, Tenant};

const CHANNEL: &str = "dlrhub_tenant_changed";
const MAX_AGE: Duration = Duration::from_secs(60);
/// Far more tenants than one deployment has.
const CAPACITY: usize = 10_000;
const RELISTEN_DELAY: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct TenantCache {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    /// Unknown workspaces are cached too (as None): made-up ids cost no query after the
    /// first, and registering one notifies like any change.
    entries: Cache<AppKey, Entry>,
    /// Held while a read-through is stored or an entry evicted, so that a read that raced
    /// a change is never cached (see `generation`).
    changing: Mutex<()>,
    listening: AtomicBool,
    /// Bumped on every eviction, so that a read that raced a change is not cached.
    generation: AtomicU64,
    /// Dropped with the cache, which tells the listener to close its connection.
    _closed: tokio::sync::oneshot::Sender<()>,
}

#[derive(Clone)]
struct Entry {
    tenant: Option<Arc<Tenant>>,
    fetched: Instant,
}

impl TenantCache {
    /// Workspaces cached now (at most `CAPACITY`).
    pub fn len(&self) -> usize {
        self.inner.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.entries.is_empty()
    }

    /// Starts the listener task; until it listens, every lookup reads the database.
    pub fn start(pool: PgPool) -> Self {
        let (closed, on_close) = tokio::sync::oneshot::channel();
        let inner = Arc::new(Inner {
            pool,
            entries: Cache::new(CAPACITY),
            changing: Mutex::new(()),
            listening: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            _closed: closed,
        });
        let cache = Arc::downgrade(&inner);
        tokio::spawn(async move {
            tokio::select! {
                _ = listen(cache) => {}
                _ = on_close => {}
            }
        });
        Self { inner }
    }

    pub async fn find(&self, app_key: &AppKey) -> Result<Option<Arc<Tenant>>, sqlx::Error> {
        let inner = &self.inner;
        if let Some(entry) = inner.entries.get(app_key) {
            if entry.fetched.elapsed() < MAX_AGE {
                return Ok(entry.tenant);
            }
        }
        let generation = inner.generation.load(Ordering::Acquire);
        let tenant = tenants::find(&inner.pool, app_key).await?.map(Arc::new);
        if inner.listening.load(Ordering::Acquire) {
            let _changing = inner.lock();
            if inner.generation.load(Ordering::Acquire) == generation {
                let entry = Entry {
                    tenant: tenant.clone(),
                    fetched: Instant::now(),
                };
                inner.entries.insert(app_key.clone(), entry);
            }
        }
        Ok(tenant)
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.changing.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets one workspace, or all of them when `app_key` is None or unreadable.
    fn evict(&self, app_key: Option<&str>) {
        let _changing = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        match app_key.map(AppKey::parse) {
            Some(Ok(key)) => {
                self.entries.remove(&key);
            }
            _ => self.entries.clear(),
        }
    }

    /// Stops caching and forgets everything: changes may be going unheard.
    fn go_deaf(&self) {
        self.listening.store(false, Ordering::Release);
        self.evict(None);
    }
}

async fn listen(cache: Weak<Inner>) {
    loop {
        let Some(pool) = cache.upgrade().map(|inner| inner.pool.clone()) else {
            return;
        };
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    if !hear(&cache, &mut listener).await {
                        return;
                    }
                }
                Err(error) => warn(&error),
            },
            Err(error) => warn(&error),
        }
        tokio::time::sleep(RELISTEN_DELAY).await;
    }
}

/// Applies notifications until the connection is lost (true: listen again) or the cache is
/// dropped (false).
async fn hear(cache: &Weak<Inner>, listener: &mut PgListener) -> bool {
    match cache.upgrade() {
        Some(inner) => {
            // Anything cached before this LISTEN may have missed a change.
            inner.evict(None);
            inner.listening.store(true, Ordering::Release);
        }
        None => return false,
    }
    loop {
        let heard = listener.try_recv().await;
        let Some(inner) = cache.upgrade() else {
            return false;
        };
        match heard {
            Ok(Some(notification)) => inner.evict(Some(notification.payload())),
            // The connection dropped: changes made meanwhile went unheard.
            Ok(None) => {
                inner.go_deaf();
                return true;
            }
            Err(error) => {
                inner.go_deaf();
                warn(&error);
                return true;
            }
        }
    }
}

fn warn(error: &sqlx::Error) {
    tracing::warn!(
        error = error as &dyn std::error::Error,
        "not listening for tenant changes; reading tenants from the database meanwhile"
    );
}
