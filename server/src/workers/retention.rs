//! Deletes reports, messages and events older than the retention period, once an hour.
//! Several processes may run it at once: deletes of the same rows simply find less to do.
//! The first pass waits a minute: a process that has just started has better things to do,
//! and a test that ages its rows by hand meets no purge it did not ask for.

use std::time::Duration;

use store::PgPool;
use tokio_util::sync::CancellationToken;

const EVERY: Duration = Duration::from_secs(3600);
const FIRST_AFTER: Duration = Duration::from_secs(60);
const BATCH: i64 = 5_000;

pub async fn run(pool: PgPool, retention: Duration, stop: CancellationToken) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + FIRST_AFTER, EVERY);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = ticks.tick() => purge(&pool, retention).await,
        }
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
