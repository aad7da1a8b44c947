//! What the store's test binaries share.

use domain::{AppKey, DataCenter, SinchReport};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use store::ingest::{ingest_batch, IngestOutcome, Submission};
use store::tenants::{self, NewTenant, Tenant};
use store::{Cipher, PgPool};

/// The master key the tests encrypt tenants' secrets with.
pub const KEY: [u8; 32] = [7; 32];

/// The test's database, migrated to the newest schema with its days prepared.
#[allow(dead_code)] // The upgrade tests migrate step by step instead.
pub async fn migrated(options: PgPoolOptions, db: PgConnectOptions) -> PgPool {
    let pool = options.connect_with(db).await.expect("the test database");
    store::migrate(&pool).await.expect("migrations apply");
    pool
}

/// Registers a tenant with `app_key` as its workspace id.
pub async fn tenant(pool: &PgPool, app_key: &str) -> Tenant {
    let new = NewTenant {
        app_key: AppKey::parse(app_key).expect("a workspace id"),
        name: format!("{app_key} Ltd"),
        data_center: DataCenter::parse("DC-01").expect("a data center"),
        moengage_api_key: "moe-key-1234".to_owned(),
        demo: false,
    };
    tenants::create(pool, &Cipher::new(&KEY), new)
        .await
        .expect("the tenant is stored")
}

/// Stores one report `body` for `tenant` through ingestion; its outcome.
#[allow(dead_code)] // Not every test binary stores reports one at a time.
pub async fn ingest(pool: &PgPool, tenant: &Tenant, body: &str) -> IngestOutcome {
    let report = SinchReport::from_json(body.as_bytes()).expect("a valid report");
    let submission = Submission {
        tenant: tenant.id,
        body: body.as_bytes(),
        report: &report,
    };
    let mut outcome = ingest_batch(pool, &[submission]).await.expect("answered");
    outcome.pop().expect("one outcome")
}
