use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

/// How large the pool may grow and how long a caller waits for a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub min_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// Builds the pool without connecting: the first query opens the first connection, so a
/// database that is down at start-up surfaces as a clear migration error, and one that goes
/// down later surfaces in `/readyz` instead of panicking a request.
///
/// Sessions run with PostgreSQL's JIT off: it compiles the expressions of every partition
/// a plan names, pruned or not, and a query over the tables kept by the day names about a
/// hundred days of each. The delivery-time roll-up's statement, run in `psql` at 98 days,
/// spent 1.5 of its 1.9 s compiling (the roll-up had already turned JIT off for its own
/// transaction; the explorer's queries had not). dlrhub's queries are short and gain
/// nothing from it.
pub fn connect(options: PgConnectOptions, settings: PoolSettings) -> PgPool {
    PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .min_connections(settings.min_connections)
        .acquire_timeout(settings.acquire_timeout)
        .connect_lazy_with(options.options([("jit", "off")]))
}

/// The pool the console's heavy reads go to: the event explorer, its filter counts, the
/// exports and the charts. A read replica when `DLRHUB_READ_DATABASE_URL` names one, which
/// may lag the primary by moments; else the primary's own pool. Whatever writes, or reads
/// what it has just written (sessions, access, an event's page after a replay), uses the
/// primary.
#[derive(Debug, Clone)]
pub struct ReadPool(PgPool);

impl ReadPool {
    pub fn new(pool: PgPool) -> Self {
        Self(pool)
    }
}

impl std::ops::Deref for ReadPool {
    type Target = PgPool;

    fn deref(&self) -> &PgPool {
        &self.0
    }
}
