//! `dlrhub dev bench-explorer`: what one page of the event explorer costs in the database
//! on seeded history, for each kind of filter people use (BENCHMARKS.md).

use anyhow::Context;
use chrono::{Duration, Utc};
use store::events::{counts, search, Cursor, EventFilter};
use store::tenants::{self, TenantId};
use store::PgPool;

use super::timed;
use crate::sim::stats::{millis, Tally};

/// A page of the explorer, plus the one to look for "Older".
const PAGE: i64 = 51;

pub async fn run(pool: &PgPool, runs: usize) -> anyhow::Result<()> {
    let all: Vec<TenantId> = tenants::list(pool).await?.iter().map(|t| t.id).collect();
    let one = vec![*all
        .first()
        .context("no tenant: run `dlrhub dev seed` first")?];
    // Values that exist in the seeded history (see store::seed).
    let sample: (String, String, String) = sqlx::query_as(
        "SELECT customer_id, recipient, batch_id FROM events WHERE tenant_id = $1 \
         ORDER BY id DESC LIMIT 1 OFFSET 1000",
    )
    .bind(one[0].0)
    .fetch_one(pool)
    .await?;
    let (uid, phone, batch) = sample;
    let now = Utc::now();
    let deep = Cursor {
        created_at: now - Duration::days(3),
        id: i64::MAX,
    };
    let filter = |edit: fn(&mut EventFilter, &(String, String, String))| {
        let mut filter = EventFilter::default();
        edit(&mut filter, &(uid.clone(), phone.clone(), batch.clone()));
        filter
    };
    let cases: Vec<(&str, &[TenantId], EventFilter, Option<Cursor>)> = vec![
        ("newest, all tenants", &all, EventFilter::default(), None),
        ("newest, one tenant", &one, EventFilter::default(), None),
        (
            "uid, all tenants",
            &all,
            filter(|f, s| f.customer_id = Some(s.0.clone())),
            None,
        ),
        (
            "phone, all tenants",
            &all,
            filter(|f, s| f.recipient = Some(s.1.clone())),
            None,
        ),
        (
            "batch id, all tenants",
            &all,
            filter(|f, s| f.batch_id = Some(s.2.clone())),
            None,
        ),
        (
            "dead letters, all tenants",
            &all,
            filter(|f, _| f.forward_state = Some("dead".into())),
            None,
        ),
        (
            "delivery failed, one tenant",
            &one,
            filter(|f, _| f.kind = Some("delivery_failed".into())),
            None,
        ),
        (
            "delivered, one tenant",
            &one,
            filter(|f, _| f.kind = Some("delivered".into())),
            None,
        ),
        (
            "sent, all tenants",
            &all,
            filter(|f, _| f.kind = Some("sent".into())),
            None,
        ),
        (
            "category + last day, one tenant",
            &one,
            filter(|f, _| {
                f.category = Some("promo".into());
                f.from = Some(Utc::now() - Duration::days(1));
            }),
            None,
        ),
        (
            "3 days back (keyset), all tenants",
            &all,
            EventFilter::default(),
            Some(deep),
        ),
    ];
    println!("events: {}", count(pool).await?);
    for (what, scope, filter, before) in &cases {
        let mut tally = Tally::default();
        let mut found = 0;
        for _ in 0..runs {
            let (took, rows) = timed(search(pool, scope, filter, *before, PAGE)).await;
            found = rows?.len();
            tally.record(took, Some(200));
        }
        report(what, &mut tally, runs, &format!("{found} rows"));
    }
    let mut tally = Tally::default();
    for _ in 0..runs {
        let from = Utc::now() - Duration::days(7);
        let (took, done) = timed(async {
            counts::outcomes(pool, &all, from, None).await?;
            counts::unfinished(pool, &all, from, None).await
        })
        .await;
        done?;
        tally.record(took, Some(200));
    }
    report("filter counts, all tenants, 7 days", &mut tally, runs, "");
    export(pool, &one).await
}

async fn count(pool: &PgPool) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await?)
}

fn report(what: &str, tally: &mut Tally, runs: usize, note: &str) {
    println!(
        "{what}: p50 {}, p95 {}, max {} over {runs} runs {note}",
        millis(tally.percentile(0.5)),
        millis(tally.percentile(0.95)),
        millis(tally.percentile(1.0)),
    );
}

/// The export's database side: one tenant's whole history in keyset pages of 2000, as
/// `GET /events.csv` reads it.
async fn export(pool: &PgPool, scope: &[TenantId]) -> anyhow::Result<()> {
    let filter = EventFilter::default();
    let started = std::time::Instant::now();
    let mut before = None;
    let mut rows = 0;
    loop {
        let page = search(pool, scope, &filter, before, 2000).await?;
        rows += page.len();
        before = page.last().map(|last| Cursor {
            created_at: last.event.created_at,
            id: last.event.id,
        });
        if page.len() < 2000 {
            break;
        }
    }
    let took = started.elapsed();
    println!(
        "export, one tenant: {rows} rows in {} ({:.0} rows/s)",
        millis(took),
        rows as f64 / took.as_secs_f64()
    );
    Ok(())
}
