//! `dlrhub sim sinch`: posts delivery reports to a callback URL at a steady rate, as Sinch
//! would, and reports the rate achieved, the latency percentiles and the errors.
//!
//! The load is open-loop: calls start on schedule whether or not earlier ones have
//! answered (up to `--concurrency` in flight), so a slow server shows up as latency and
//! as calls the client could not start, not as a quietly lower rate.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::Semaphore;
use url::Url;

use super::sinch_traffic::{Mix, Traffic};
use super::stats::{millis, Tally};
use crate::sinch_signature as signature;

#[derive(Debug, Clone, clap::Args)]
pub struct SinchArgs {
    /// The callback URL, with its credentials (`dlrhub tenant show K --json`).
    #[arg(long)]
    pub callback: Url,
    /// Calls per second to send.
    #[arg(long, default_value_t = 100)]
    pub rate: u32,
    /// How long to send, in seconds.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Kinds of call and their weights.
    #[arg(
        long,
        default_value = "recipient=80,batch=5,retry=8,missing_uid=5,malformed=2"
    )]
    pub mix: Mix,
    /// The most calls in flight at once.
    #[arg(long, default_value_t = 256)]
    pub concurrency: usize,
    /// Sign every call with this secret, as Sinch does when HMAC signing is set up.
    #[arg(long, env = "DLRHUB_HMAC_SECRET", hide_env_values = true)]
    pub hmac_secret: Option<String>,
    /// Seed of the traffic generator, for a repeatable run.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the summary as one JSON object (for scripts) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Outcomes since the start and since the last progress line.
#[derive(Default)]
struct Tallies {
    total: Tally,
    window: Tally,
    not_started: u64,
}

pub async fn run(args: SinchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.rate > 0, "--rate must be at least 1");
    anyhow::ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .context("building the HTTP client")?;
    let mut traffic = Traffic::new(args.mix, args.seed);
    let slots = Arc::new(Semaphore::new(args.concurrency));
    let tallies = Arc::new(Mutex::new(Tallies::default()));
    eprintln!(
        "Sending {}/s for {} s to {} (mix {:?})",
        args.rate,
        args.duration,
        redacted(&args.callback),
        args.mix
    );

    let started = Instant::now();
    let total_calls = u64::from(args.rate) * args.duration;
    let mut scheduled: u64 = 0;
    let mut next_progress = Duration::from_secs(1);
    let mut ticks = tokio::time::interval(Duration::from_millis(2));
    while scheduled < total_calls {
        ticks.tick().await;
        let due =
            ((started.elapsed().as_secs_f64() * f64::from(args.rate)) as u64).min(total_calls);
        while scheduled < due {
            scheduled += 1;
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                lock(&tallies).not_started += 1;
                continue;
            };
            let request = build_request(&client, &args, traffic.next_body());
            let tallies = tallies.clone();
            tokio::spawn(async move {
                let sent = Instant::now();
                let status = request.send().await.ok().map(|r| r.status().as_u16());
                let mut tallies = lock(&tallies);
                tallies.total.record(sent.elapsed(), status);
                tallies.window.record(sent.elapsed(), status);
                drop(slot);
            });
        }
        if started.elapsed() >= next_progress {
            progress(&tallies, started.elapsed());
            next_progress += Duration::from_secs(1);
        }
    }
    // Wait for the calls still in flight.
    let _all = slots
        .acquire_many(u32::try_from(args.concurrency).unwrap_or(u32::MAX))
        .await
        .context("waiting for the last calls")?;
    let elapsed = started.elapsed();
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
    let mut tallies = std::mem::take(&mut *lock(&tallies));
    if args.json {
        println!("{}", summary_json(&mut tallies, elapsed, args.rate));
    } else {
        summary(&mut tallies, elapsed, args.rate);
    }
    anyhow::ensure!(
        tallies.total.ok > 0,
        "no call was accepted: check the callback URL, its credentials and that the integration is enabled"
    );
    Ok(())
}

fn build_request(
    client: &reqwest::Client,
    args: &SinchArgs,
    body: String,
) -> reqwest::RequestBuilder {
    let mut request = client
        .post(args.callback.clone())
        .header("content-type", "application/json");
    if let Some(secret) = &args.hmac_secret {
        for (name, value) in signature::signed_headers(secret, body.as_bytes()) {
            request = request.header(name, value);
        }
    }
    request.body(body)
}

fn lock(tallies: &Mutex<Tallies>) -> std::sync::MutexGuard<'_, Tallies> {
    // A panic while holding the lock cannot leave the counters inconsistent: keep going.
    tallies
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn progress(tallies: &Mutex<Tallies>, elapsed: Duration) {
    let mut tallies = lock(tallies);
    let mut window = std::mem::take(&mut tallies.window);
    let total = &tallies.total;
    let line = format!(
        "{:>4} s  sent {:>8}  2xx {:>8}  4xx {:>6}  5xx {:>5}  failed {:>5}  | {:>6}/s  p50 {:>8}  p99 {:>8}",
        elapsed.as_secs(),
        total.count(),
        total.ok,
        total.client_errors,
        total.server_errors,
        total.failures,
        window.count(),
        millis(window.percentile(0.5)),
        millis(window.percentile(0.99)),
    );
    if std::io::stderr().is_terminal() {
        eprint!("\r{line}");
    } else {
        eprintln!("{line}");
    }
}

fn summary(tallies: &mut Tallies, elapsed: Duration, target: u32) {
    let total = &mut tallies.total;
    let seconds = elapsed.as_secs_f64();
    println!(
        "Sent {} calls in {:.1} s: {:.1}/s (target {}/s)",
        total.count(),
        seconds,
        total.count() as f64 / seconds,
        target
    );
    println!(
        "  2xx {}   4xx {}   5xx {}   no answer {}   not started (concurrency limit) {}",
        total.ok, total.client_errors, total.server_errors, total.failures, tallies.not_started
    );
    println!(
        "  latency p50 {}   p90 {}   p99 {}   max {}",
        millis(total.percentile(0.5)),
        millis(total.percentile(0.9)),
        millis(total.percentile(0.99)),
        millis(total.percentile(1.0)),
    );
}

fn summary_json(tallies: &mut Tallies, elapsed: Duration, target: u32) -> serde_json::Value {
    let total = &mut tallies.total;
    let ms = |d: Duration| (d.as_secs_f64() * 10_000.0).round() / 10.0;
    serde_json::json!({
        "target_per_s": target,
        "calls": total.count(),
        "seconds": elapsed.as_secs_f64(),
        "achieved_per_s": (total.count() as f64 / elapsed.as_secs_f64() * 10.0).round() / 10.0,
        "ok": total.ok,
        "client_errors": total.client_errors,
        "server_errors": total.server_errors,
        "failures": total.failures,
        "not_started": tallies.not_started,
        "p50_ms": ms(total.percentile(0.5)),
        "p90_ms": ms(total.percentile(0.9)),
        "p99_ms": ms(total.percentile(0.99)),
        "max_ms": ms(total.percentile(1.0)),
    })
}

/// The URL without its password, for printing.
fn redacted(url: &Url) -> Url {
    let mut url = url.clone();
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    url
}
