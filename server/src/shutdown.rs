//! Graceful stop: on SIGINT or SIGTERM the server stops accepting connections and lets the
//! requests in flight finish, for a bounded time.

use std::time::Duration;

use anyhow::Context;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Cancels `stop` when the process receives SIGINT (Ctrl-C) or SIGTERM.
pub fn cancel_on_signal(stop: CancellationToken) {
    tokio::spawn(async move {
        let signal = wait_for_signal().await;
        tracing::info!(signal, "stopping: finishing the requests in flight");
        stop.cancel();
    });
}

async fn wait_for_signal() -> &'static str {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => tokio::select! {
                _ = interrupt => "SIGINT",
                _ = terminate.recv() => "SIGTERM",
            },
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; only SIGINT stops the server");
                let _ = interrupt.await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
        "Ctrl-C"
    }
}

/// Waits for the server task; once `stop` is cancelled, gives it `grace` to finish.
pub async fn wait_with_grace(
    mut server: JoinHandle<std::io::Result<()>>,
    stop: &CancellationToken,
    grace: Duration,
) -> anyhow::Result<()> {
    let outcome = tokio::select! {
        outcome = &mut server => outcome,
        _ = stop.cancelled() => match tokio::time::timeout(grace, &mut server).await {
            Ok(outcome) => outcome,
            Err(_) => {
                tracing::warn!(grace_secs = grace.as_secs(), "requests still running after the grace period; stopping anyway");
                server.abort();
                return Ok(());
            }
        },
    };
    outcome
        .context("the HTTP server task panicked")?
        .context("the HTTP server failed")?;
    tracing::info!("stopped");
    Ok(())
}
