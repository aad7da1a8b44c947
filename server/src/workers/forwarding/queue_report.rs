//! The forwarding queue as metrics and backlog samples, every five seconds.

use std::time::Duration;

use chrono::Utc;
use store::forwarding;
use store::tenants::TenantId;
use store::PgPool;
use tokio_util::sync::CancellationToken;

use crate::telemetry::metrics::{FORWARD_PAUSED, QUEUE_DEPTH, QUEUE_OLDEST_AGE};

/// Publishes each tenant's queue depth and the age of its oldest waiting event, and keeps
/// the samples the console tells a growing backlog by.
pub async fn report_queue(pool: PgPool, stop: CancellationToken) {
    let mut ticks = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        match forwarding::queue_depth(&pool).await {
            Ok(depths) => {
                let samples: Vec<(TenantId, i64)> =
                    depths.iter().map(|d| (d.tenant, d.waiting)).collect();
                for depth in depths {
                    let age = depth.oldest.map_or(0.0, |oldest| {
                        (Utc::now() - oldest).num_milliseconds() as f64 / 1000.0
                    });
                    metrics::gauge!(QUEUE_DEPTH, "tenant" => depth.app_key.clone())
                        .set(depth.waiting as f64);
                    metrics::gauge!(FORWARD_PAUSED, "tenant" => depth.app_key.clone())
                        .set(if depth.paused { 1.0 } else { 0.0 });
                    metrics::gauge!(QUEUE_OLDEST_AGE, "tenant" => depth.app_key).set(age.max(0.0));
                }
                if let Err(error) = forwarding::leases::sample_backlog(&pool, &samples).await {
                    tracing::warn!(
                        error = &error as &dyn std::error::Error,
                        "could not sample the forwarding backlog"
                    );
                }
            }
            Err(error) => tracing::warn!(
                error = &error as &dyn std::error::Error,
                "could not measure the forwarding queue"
            ),
        }
    }
}
