//! `DLRHUB_READ_DATABASE_URL`: the explorer, its counts, the exports and the charts read
//! from a replica; everything else stays on the primary.

use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection};
use store::PoolSettings;

use crate::helpers::TestApp;

/// A stand-in for a replica: a second database with the same schema, told apart from the
/// primary by rows only it holds.
async fn replica_of(db: &PgConnectOptions) -> PgConnectOptions {
    // PostgreSQL cuts names at 63 bytes, as long as a test database's own.
    let primary = db.get_database().expect("a named database");
    let name = format!("replica_{}", &primary[primary.len().saturating_sub(40)..]);
    let mut admin = PgConnection::connect_with(db).await.expect("connects");
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drops a leftover");
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await
        .expect("creates");
    let replica = db.clone().database(&name);
    let pool = store::connect(replica.clone(), PoolSettings::default());
    store::migrate(&pool).await.expect("migrates");
    pool.close().await;
    replica
}

#[sqlx::test(migrations = false)]
async fn the_explorer_and_its_export_read_from_the_replica(_: PgPoolOptions, db: PgConnectOptions) {
    let replica = replica_of(&db).await;
    let app = TestApp::spawn_with_read_replica(db.clone(), replica.clone()).await;
    app.tenant("ACME01", true).await;
    let tenant = app.tenant_id("ACME01").await;
    // The replica holds the same tenant and thirty reports the primary never received.
    let replica_pool = store::connect(replica.clone(), PoolSettings::default());
    let copy = store::tenants::NewTenant {
        app_key: domain::AppKey::parse("ACME01").expect("valid"),
        name: "ACME01 (replica)".into(),
        data_center: domain::DataCenter::parse("01").expect("valid"),
        moengage_api_key: "moe-test-key-1234".into(),
        demo: false,
    };
    let copied = store::tenants::create(&replica_pool, &app.cipher, copy)
        .await
        .expect("registers on the replica");
    assert_eq!(copied.id, tenant, "the same tenant id on both");
    store::seed::reports(&replica_pool, tenant, 0, 30, 1)
        .await
        .expect("seeds the replica");
    assert_eq!(app.count("events").await, 0, "the primary has none");

    let admin = app.admin().await;
    let listed: Value = admin
        .call("list_events", &[("query[tenant]", "")])
        .await
        .json()
        .await
        .expect("JSON");
    let rows = listed["rows"].as_array().expect("rows");
    assert_eq!(
        rows.len(),
        29,
        "the replica's events (one report had no uid)"
    );
    let csv = admin
        .get("/events.csv")
        .await
        .text()
        .await
        .expect("the file");
    assert_eq!(
        csv.lines().count(),
        30,
        "a header and the replica's 29 events"
    );

    // Sign-in and sessions were the primary's all along.
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM sessions")
            .fetch_one(&replica_pool)
            .await
            .expect("counts"),
        0
    );
    drop(app);
    replica_pool.close().await;
    let mut admin = PgConnection::connect_with(&db).await.expect("connects");
    let name = replica.get_database().expect("named").to_owned();
    sqlx::query(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drops the replica");
}
