//! The store's queries on a real PostgreSQL, a fresh database per test: what the webhook
//! and the forwarders rely on, checked without HTTP in between.

mod common;

use std::time::Duration;

use common::{tenant, KEY};
use domain::{AppKey, DataCenter, SinchReport};
use sqlx::postgres::PgPoolOptions;
use store::ingest::{ingest_batch, IngestOutcome, Submission};
use store::tenants::{self, NewTenant};
use store::{Cipher, PgPool};

fn report(batch: &str, uid: &str) -> (Vec<u8>, SinchReport) {
    status_report(batch, uid, "Delivered")
}

fn status_report(batch: &str, uid: &str, status: &str) -> (Vec<u8>, SinchReport) {
    let body = serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": batch, "recipient": "+46701234567",
        "code": 0, "status": status, "at": "2026-11-27T10:00:00Z",
        "client_reference": format!("$uid={uid}"),
    })
    .to_string()
    .into_bytes();
    let parsed = SinchReport::from_json(&body).expect("a valid report");
    (body, parsed)
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .expect("a count")
}

#[sqlx::test(migrations = false)]
async fn a_body_stored_again_is_a_duplicate_within_a_batch_and_across_batches(
    options: PgPoolOptions,
    db: sqlx::postgres::PgConnectOptions,
) {
    let pool = common::migrated(options, db).await;
    let acme = tenant(&pool, "ACME01").await;
    let (body, parsed) = report("B1", "42");
    let submission = Submission {
        tenant: acme.id,
        body: &body,
        report: &parsed,
    };

    let first = ingest_batch(&pool, &[submission, submission])
        .await
        .expect("stored");
    let again = ingest_batch(&pool, &[submission]).await.expect("answered");

    assert_eq!(
        first,
        [
            IngestOutcome::Accepted {
                enqueued: 1,
                suppressed: 0
            },
            IngestOutcome::Duplicate
        ]
    );
    assert_eq!(again, [IngestOutcome::Duplicate]);
    assert_eq!(count(&pool, "reports").await, 1);
    assert_eq!(count(&pool, "events").await, 1);
}

#[sqlx::test(migrations = false)]
async fn the_same_body_for_two_tenants_is_two_reports(
    options: PgPoolOptions,
    db: sqlx::postgres::PgConnectOptions,
) {
    let pool = common::migrated(options, db).await;
    let (acme, beta) = (tenant(&pool, "ACME01").await, tenant(&pool, "BETA02").await);
    let (body, parsed) = report("B1", "42");
    let submissions = [acme.id, beta.id].map(|tenant| Submission {
        tenant,
        body: &body,
        report: &parsed,
    });

    let outcomes = ingest_batch(&pool, &submissions).await.expect("stored");

    assert!(
        outcomes
            .iter()
            .all(|outcome| matches!(outcome, IngestOutcome::Accepted { .. })),
        "{outcomes:?}"
    );
    assert_eq!(count(&pool, "events").await, 2);
}

#[sqlx::test(migrations = false)]
async fn two_workers_claiming_at_once_never_get_the_same_event(
    options: PgPoolOptions,
    db: sqlx::postgres::PgConnectOptions,
) {
    let pool = common::migrated(options, db).await;
    let acme = tenant(&pool, "ACME01").await;
    let reports: Vec<_> = (0..20).map(|i| report(&format!("B{i}"), "42")).collect();
    let submissions: Vec<_> = reports
        .iter()
        .map(|(body, parsed)| Submission {
            tenant: acme.id,
            body,
            report: parsed,
        })
        .collect();
    ingest_batch(&pool, &submissions).await.expect("stored");
    let lease = Duration::from_secs(60);

    let (first, second) = tokio::join!(
        store::forwarding::claim(&pool, acme.id, 15, lease, "worker-a"),
        store::forwarding::claim(&pool, acme.id, 15, lease, "worker-b"),
    );
    let (first, second) = (first.expect("claims"), second.expect("claims"));
    let later = store::forwarding::claim(&pool, acme.id, 15, lease, "worker-c")
        .await
        .expect("claims");

    let mut ids: Vec<i64> = first.iter().chain(&second).map(|event| event.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(first.len() + second.len(), 20, "between them they took all");
    assert_eq!(ids.len(), 20, "no event went to both");
    assert!(later.is_empty(), "leased events are not due");
    assert!(first.iter().chain(&second).all(|event| event.attempt == 1));
}

#[sqlx::test(migrations = false)]
async fn a_tenant_is_found_by_its_exact_workspace_id_and_registered_once(
    options: PgPoolOptions,
    db: sqlx::postgres::PgConnectOptions,
) {
    let pool = common::migrated(options, db).await;
    let acme = tenant(&pool, "ACME01").await;

    let found = tenants::find(&pool, &acme.app_key)
        .await
        .expect("a lookup")
        .expect("the tenant");
    let other = tenants::find(&pool, &AppKey::parse("ACME02").expect("an id"))
        .await
        .expect("a lookup");
    let again = tenants::create(
        &pool,
        &Cipher::new(&KEY),
        NewTenant {
            app_key: acme.app_key.clone(),
            name: "Another".to_owned(),
            data_center: DataCenter::parse("DC-02").expect("a data center"),
            moengage_api_key: "k".to_owned(),
            demo: false,
        },
    )
    .await;

    assert_eq!(found.id, acme.id);
    assert!(!found.integration_enabled, "a new tenant starts disabled");
    assert!(other.is_none());
    assert!(
        matches!(again, Err(tenants::CreateTenantError::Conflict(_))),
        "{again:?}"
    );
}

fn submissions(
    tenant: store::tenants::TenantId,
    reports: &[(Vec<u8>, SinchReport)],
) -> Vec<Submission<'_>> {
    reports
        .iter()
        .map(|(body, report)| Submission {
            tenant,
            body,
            report,
        })
        .collect()
}

/// Two processes' writers can hold reports about the same messages in any order: they
/// must wait for each other, never deadlock, and leave each message one final status
/// that its one final event agrees with.
#[sqlx::test(migrations = false)]
async fn two_batches_about_the_same_messages_in_opposite_orders_both_commit(
    options: PgPoolOptions,
    db: sqlx::postgres::PgConnectOptions,
) {
    let pool = common::migrated(options, db).await;
    let acme = tenant(&pool, "ACME01").await;
    for round in 0..5 {
        let batches: Vec<String> = (0..40).map(|i| format!("R{round}-B{i}")).collect();
        let delivered: Vec<_> = batches
            .iter()
            .map(|b| status_report(b, "42", "Delivered"))
            .collect();
        let failed: Vec<_> = batches
            .iter()
            .rev()
            .map(|b| status_report(b, "42", "Failed"))
            .collect();
        let (first, second) = (
            submissions(acme.id, &delivered),
            submissions(acme.id, &failed),
        );

        let (first, second) =
            tokio::join!(ingest_batch(&pool, &first), ingest_batch(&pool, &second));

        first.expect("the first batch commits");
        second.expect("the second batch commits");
    }
    let disagreeing: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM messages m JOIN events e ON e.message_id = m.id AND e.slot = 'final'
         WHERE m.final_status IS DISTINCT FROM e.sinch_status",
    )
    .fetch_one(&pool)
    .await
    .expect("a count");
    assert_eq!(count(&pool, "reports").await, 400);
    assert_eq!(count(&pool, "messages").await, 200);
    assert_eq!(
        count(&pool, "events").await,
        200,
        "one final event a message"
    );
    assert_eq!(disagreeing, 0, "the first final status and its event agree");
}
