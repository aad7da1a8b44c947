//! Keeps the console's hourly counts current: a roll-up pass every few seconds. Every
//! process runs it; an advisory lock lets one of them do each pass.

use std::time::Duration;

use store::PgPool;
use tokio_util::sync::CancellationToken;

/// How often the counts are brought up to date: the lag of the overview's numbers.
pub const EVERY: Duration = Duration::from_secs(10);

pub async fn run(pool: PgPool, every: Duration, stop: CancellationToken) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = ticks.tick() => {
                if let Err(error) = store::activity::roll_up(&pool).await {
                    tracing::warn!(
                        error = &error as &dyn std::error::Error,
                        "activity roll-up failed; the next pass catches up"
                    );
                }
            }
        }
    }
}
