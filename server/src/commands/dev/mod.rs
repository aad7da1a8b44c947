//! `dlrhub dev ...`: synthetic history and timings for benchmarks (see BENCHMARKS.md).

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::Context;
use domain::{AppKey, DataCenter};
use store::tenants::{self, NewTenant, Tenant};
use store::PgPool;

use crate::cli::DevCommand;
use crate::configuration::Settings;
use crate::sim::stats::{millis, Tally};

mod bench_explorer;

/// Reports written per statement: big enough to be fast, small enough that one
/// transaction never holds millions of rows.
const CHUNK: i64 = 20_000;

pub async fn run(command: DevCommand) -> anyhow::Result<()> {
    let settings = Settings::from_env().context("configuration error")?;
    let pool = settings.database.pool();
    store::migrate(&pool).await?;
    match command {
        DevCommand::Seed {
            events,
            tenants,
            days,
        } => seed(&pool, &settings, events, tenants.max(1), days.max(1)).await,
        DevCommand::BenchActivity { runs } => bench_activity(&pool, runs.max(1)).await,
        DevCommand::BenchExplorer { runs } => bench_explorer::run(&pool, runs.max(1)).await,
        DevCommand::Demo => demo(pool, &settings).await,
    }
}

/// `dlrhub dev demo`: the console's demo, from the command line, waiting for its traffic.
async fn demo(pool: PgPool, settings: &Settings) -> anyhow::Result<()> {
    let data_api =
        store::moengage::DataApi::new(settings.forwarding.base_url.as_ref().map(url::Url::as_str));
    let demo = crate::demo::SimulatedDemo::new(
        data_api,
        pool,
        settings.cipher(),
        settings.public_url.clone(),
    );
    let (tenant, url) = demo
        .prepare(&super::command_line())
        .await
        .map_err(anyhow::Error::msg)?;
    println!(
        "Registered the demo workspace {} ({}); sending it simulated Sinch traffic for {} s \
         through {}.",
        tenant.app_key,
        tenant.name,
        crate::demo::DURATION.as_secs(),
        tenant.callback_endpoint(&settings.public_url)
    );
    let accepted = crate::demo::send_traffic(demo.client(), url, crate::demo::DURATION).await;
    anyhow::ensure!(
        accepted > 0,
        "no call was accepted: is `dlrhub serve` running at {}?",
        settings.public_url
    );
    println!(
        "{accepted} calls accepted. Open {}tenants/{} to see them; remove the demo workspace there.",
        settings.public_url, tenant.app_key
    );
    Ok(())
}

async fn seed(
    pool: &PgPool,
    settings: &Settings,
    events: i64,
    tenant_count: u32,
    days: i32,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let per_tenant = events / i64::from(tenant_count);
    for index in 1..=tenant_count {
        let tenant = seed_tenant(pool, settings, index).await?;
        // Continue numbering after what an earlier seed wrote, so that reruns add.
        let first: i64 = sqlx::query_scalar("SELECT count(*) FROM reports WHERE tenant_id = $1")
            .bind(tenant.id.0)
            .fetch_one(pool)
            .await?;
        // Written oldest first, a slice of the history a chunk, as traffic would arrive.
        let start = chrono::Utc::now() - chrono::Duration::days(days.into());
        let per_report = chrono::Duration::days(days.into()) / i32::try_from(per_tenant.max(1))?;
        let at = |n: i64| start + per_report * i32::try_from(n).unwrap_or(i32::MAX);
        let mut written = 0;
        while written < per_tenant {
            let count = CHUNK.min(per_tenant - written);
            let (from, to) = (at(written), at(written + count));
            store::seed::reports_between(pool, tenant.id, first + written, count, from, to).await?;
            written += count;
            eprint!(
                "\r{}: {written}/{per_tenant} reports ({:.0} s)",
                tenant.app_key,
                started.elapsed().as_secs_f64()
            );
        }
        eprintln!();
    }
    sqlx::query("ANALYZE").execute(pool).await?;
    println!(
        "Seeded {} reports for {tenant_count} tenants over {days} days in {:.1} s.",
        per_tenant * i64::from(tenant_count),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn seed_tenant(pool: &PgPool, settings: &Settings, index: u32) -> anyhow::Result<Tenant> {
    let app_key = AppKey::parse(&format!("SEED{index:02}"))?;
    if let Some(tenant) = tenants::find(pool, &app_key).await? {
        return Ok(tenant);
    }
    let new = NewTenant {
        app_key: app_key.clone(),
        name: format!("Seeded shop {index}"),
        data_center: DataCenter::parse("01")?,
        moengage_api_key: format!("seed-key-{index:04}"),
        demo: false,
    };
    tenants::create(pool, &settings.cipher(), new).await?;
    Ok(tenants::set_integration(pool, &app_key, true, "dlrhub dev seed").await?)
}

async fn bench_activity(pool: &PgPool, runs: usize) -> anyhow::Result<()> {
    // Forget earlier roll-ups, so that the first pass rebuilds every hour there is.
    sqlx::query("TRUNCATE activity_rollup, hourly_traffic, hourly_outcomes")
        .execute(pool)
        .await?;
    // A pass catches each tenant up by at most two days, so history takes a few.
    let mut catching_up = Vec::new();
    loop {
        let (took, done) = timed(store::activity::roll_up(pool)).await;
        done?;
        catching_up.push(millis(took));
        let behind: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM activity_rollup WHERE rolled_until < now() - interval '2 hours'",
        )
        .fetch_one(pool)
        .await?;
        if behind == 0 || catching_up.len() >= 20 {
            break;
        }
    }
    let (steady, done) = timed(store::activity::roll_up(pool)).await;
    done?;
    println!(
        "roll-up, catching up on history: {} passes: {}",
        catching_up.len(),
        catching_up.join(", ")
    );
    println!(
        "roll-up, steady pass (the current hour): {}",
        millis(steady)
    );

    let tenant = tenants::list(pool)
        .await?
        .into_iter()
        .next()
        .context("no tenant: run `dlrhub dev seed` first")?;
    let now = chrono::Utc::now();
    let day = now - chrono::Duration::hours(23);
    let week = now - chrono::Duration::hours(167);
    let only = [tenant.id];
    let mut overview = Tally::default();
    let mut tenant_page = Tally::default();
    for _ in 0..runs {
        let (took, done) = timed(async {
            store::activity::tenants(pool, None, day).await?;
            store::activity::hours(pool, None, day).await
        })
        .await;
        done?;
        overview.record(took, Some(200));
        let (took, done) = timed(async {
            store::activity::hours(pool, Some(&only), week).await?;
            store::activity::categories(pool, tenant.id, week).await?;
            store::activity::latest_rejections(pool, tenant.id, 10).await
        })
        .await;
        done?;
        tenant_page.record(took, Some(200));
    }
    for (what, tally) in [
        ("overview / tenants list", &mut overview),
        ("tenant activity tab", &mut tenant_page),
    ] {
        println!(
            "{what}: p50 {}, p95 {}, max {} over {runs} runs",
            millis(tally.percentile(0.5)),
            millis(tally.percentile(0.95)),
            millis(tally.percentile(1.0)),
        );
    }
    Ok(())
}

pub(crate) async fn timed<T>(work: impl Future<Output = T>) -> (Duration, T) {
    let started = Instant::now();
    let out = work.await;
    (started.elapsed(), out)
}
