use std::net::SocketAddr;
use std::time::Duration;

use server::configuration::{DatabaseSettings, MasterKey, Settings, SiteSettings};
use server::startup::Application;
use server::telemetry::LogFormat;
use sqlx::postgres::PgConnectOptions;
use store::PoolSettings;
use tokio_util::sync::CancellationToken;

/// A running application and a client to talk to it. Dropping it stops the server.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The test database, for arranging states the HTTP API cannot produce.
    pub db: PgConnectOptions,
    stop: CancellationToken,
}

impl TestApp {
    pub async fn spawn(db: PgConnectOptions) -> Self {
        let settings = Settings {
            database: DatabaseSettings {
                connect_options: db.clone(),
                pool: PoolSettings {
                    acquire_timeout: Duration::from_secs(2),
                    ..PoolSettings::default()
                },
            },
            listen_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: "http://127.0.0.1/".parse().expect("a valid URL"),
            log_format: LogFormat::Pretty,
            master_key: MasterKey::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
                .expect("a valid key"),
            shutdown_grace: Duration::from_secs(5),
            site: SiteSettings {
                root: "target/site".into(),
                reload_port: 3001,
            },
        };
        let application = Application::build(&settings)
            .await
            .expect("the application starts");
        let address = format!("http://127.0.0.1:{}", application.port());
        let stop = CancellationToken::new();
        tokio::spawn(application.run_until_stopped(stop.clone()));
        Self {
            address,
            client: reqwest::Client::new(),
            db,
            stop,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the request reaches the server")
    }

    /// Runs SQL on the test database through a connection of its own.
    pub async fn execute(&self, sql: &str) {
        let pool = sqlx::PgPool::connect_with(self.db.clone())
            .await
            .expect("connects to the test database");
        sqlx::raw_sql(sql)
            .execute(&pool)
            .await
            .expect("the SQL runs");
        pool.close().await;
    }

    /// Drops the test database from under the running application.
    pub async fn drop_database(&self) {
        let name = self
            .db
            .get_database()
            .expect("the test database has a name")
            .to_owned();
        let admin = sqlx::PgPool::connect_with(self.db.clone().database("postgres"))
            .await
            .expect("connects to the maintenance database");
        sqlx::query(&format!(r#"DROP DATABASE "{name}" WITH (FORCE)"#))
            .execute(&admin)
            .await
            .expect("drops the test database");
        admin.close().await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
