//! Removes reports, messages and events older than the retention period, and the days of
//! raw reports older than theirs, once an hour; prepares the coming days of the tables kept
//! by the day.
//! Several processes may run it at once: deletes of the same rows simply find less to do.
//! The first pass waits a minute: a process that has just started has better things to do,
//! and a test that ages its rows by hand meets no purge it did not ask for.

use std::time::Duration;

use store::PgPool;
use tokio_util::sync::CancellationToken;

const EVERY: Duration = Duration::from_secs(3600);
const FIRST_AFTER: Duration = Duration::from_secs(60);
const BATCH: i64 = 5_000;

/// How long what is kept is kept.
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    /// Reports, messages, events and the hourly counts.
    pub all: Duration,
    /// Sinch's raw reports.
    pub raw: Duration,
}

pub async fn run(pool: PgPool, periods: Periods, stop: CancellationToken) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + FIRST_AFTER, EVERY);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = ticks.tick() => {
                days(&pool, periods.raw).await;
                purge(&pool, periods.all).await;
            }
        }
    }
}

/// Whole days: the coming ones of every table kept by the day created, the digest keys of
/// reports' days past Sinch's retries and the expired days of raw reports dropped (the
/// other tables' days go with the purge).
async fn days(pool: &PgPool, raw_period: Duration) {
    let now = chrono::Utc::now();
    if let Err(error) = store::partitions::prepare_days(pool, now).await {
        tracing::error!(
            error = &error as &dyn std::error::Error,
            "retention: the coming days of the tables kept by the day could not be created; \
             will retry"
        );
    }
    match store::partitions::drop_expired_digest_keys(pool).await {
        Ok(0) => {}
        Ok(days) => tracing::info!(days, "retention: digest keys past Sinch's retries dropped"),
        Err(error) => tracing::warn!(
            error = &error as &dyn std::error::Error,
            "retention: dropping the digest keys past Sinch's retries failed; will retry"
        ),
    }
    let Ok(age) = chrono::Duration::from_std(raw_period) else {
        return;
    };
    let raw = [store::partitions::DailyTable::RawReports];
    match store::partitions::drop_days_before(pool, &raw, now - age).await {
        Ok(0) => {}
        Ok(days) => tracing::info!(days, "retention: expired days of raw reports dropped"),
        Err(error) => tracing::warn!(
            error = &error as &dyn std::error::Error,
            "retention: dropping expired raw reports failed; will retry"
        ),
    }
}

async fn purge(pool: &PgPool, retention: Duration) {
    let Ok(age) = chrono::Duration::from_std(retention) else {
        return;
    };
    let cutoff = chrono::Utc::now() - age;
    match store::retention::purge_older_than(pool, cutoff, BATCH).await {
        Ok(purged) => tracing::info!(?purged, %cutoff, "retention: old rows deleted"),
        Err(error) => tracing::warn!(
            error = &error as &dyn std::error::Error,
            "retention: purge failed; will retry"
        ),
    }
    forget_signed_out(pool).await;
}

/// Expired sessions and the throttle rows of keys that stopped failing a day ago.
async fn forget_signed_out(pool: &PgPool) {
    use tower_sessions::ExpiredDeletion;
    let sessions = auth::session_store::PgSessionStore::new(pool.clone());
    if let Err(error) = sessions.delete_expired().await {
        tracing::warn!(error = %error, "retention: deleting expired sessions failed");
    }
    let day_ago = chrono::Utc::now() - chrono::Duration::days(1);
    if let Err(error) = store::login_throttle::forget_stale(pool, day_ago).await {
        tracing::warn!(
            error = &error as &dyn std::error::Error,
            "retention: forgetting old sign-in failures failed"
        );
    }
}
