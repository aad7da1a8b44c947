use std::net::SocketAddr;
use std::time::Duration;

use domain::{AppKey, DataCenter};
use server::configuration::{
    AccessSettings, DatabaseSettings, MasterKey, Role, Settings, SiteSettings,
};
use server::startup::Application;
use server::telemetry::LogFormat;
use server::workers::forwarding::ForwardingSettings;
use sqlx::postgres::PgConnectOptions;
use store::tenants::{self, NewTenant};
use store::{Cipher, PgPool, PoolSettings};
use tokio_util::sync::CancellationToken;

const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
pub const METRICS_TOKEN: &str = "test-metrics-token";

/// A running application and a client to talk to it. Dropping it stops the server.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The test database, for arranging states the HTTP API cannot produce.
    pub db: PgConnectOptions,
    /// A pool of the test's own on that database, for checking what was stored.
    pub pool: PgPool,
    pub cipher: Cipher,
    stop: CancellationToken,
}

/// Nothing leaves the machine: MoEngage is a closed local port unless a test starts the
/// simulator.
fn no_moengage() -> ForwardingSettings {
    ForwardingSettings {
        base_url: Some("http://127.0.0.1:9/".parse().expect("a valid URL")),
        ..ForwardingSettings::default()
    }
}

/// A registered tenant and the credentials Sinch would present for it.
pub struct TestTenant {
    pub app_key: String,
    pub username: String,
    pub password: String,
}

impl TestApp {
    /// The console and the webhook, without forwarding workers.
    pub async fn spawn(db: PgConnectOptions) -> Self {
        Self::spawn_as(db, Role::Api, no_moengage()).await
    }

    /// The whole application, forwarding with these settings (pointed at a simulator).
    pub async fn spawn_forwarding(db: PgConnectOptions, forwarding: ForwardingSettings) -> Self {
        Self::spawn_as(db, Role::All, forwarding).await
    }

    /// A workers-only process (`DLRHUB_ROLE=workers`): forwarding, health and metrics.
    pub async fn spawn_workers_only(db: PgConnectOptions, forwarding: ForwardingSettings) -> Self {
        Self::spawn_as(db, Role::Workers, forwarding).await
    }

    async fn spawn_as(db: PgConnectOptions, role: Role, forwarding: ForwardingSettings) -> Self {
        Self::spawn_with(db, role, forwarding, |_| {}).await
    }

    /// The console and the webhook with access settings changed by `change`.
    pub async fn spawn_with_access(db: PgConnectOptions, change: fn(&mut AccessSettings)) -> Self {
        Self::spawn_with(db, Role::Api, no_moengage(), move |settings| {
            change(&mut settings.access)
        })
        .await
    }

    /// The console and the webhook, the console's heavy reads sent to `replica`
    /// (`DLRHUB_READ_DATABASE_URL`).
    pub async fn spawn_with_read_replica(db: PgConnectOptions, replica: PgConnectOptions) -> Self {
        Self::spawn_with(db, Role::Api, no_moengage(), move |settings| {
            settings.database.read_connect_options = Some(replica)
        })
        .await
    }

    /// The console and the webhook serving the bundle from `site_root` (`<root>/pkg`).
    pub async fn spawn_with_site(db: PgConnectOptions, site_root: &str) -> Self {
        let site_root = site_root.to_owned();
        Self::spawn_with(db, Role::Api, no_moengage(), move |settings| {
            settings.site.root = site_root
        })
        .await
    }

    async fn spawn_with(
        db: PgConnectOptions,
        role: Role,
        forwarding: ForwardingSettings,
        change: impl FnOnce(&mut Settings),
    ) -> Self {
        let mut settings = Settings {
            database: DatabaseSettings {
                connect_options: db.clone(),
                pool: PoolSettings {
                    acquire_timeout: Duration::from_secs(2),
                    ..PoolSettings::default()
                },
                read_connect_options: None,
            },
            listen_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: "http://127.0.0.1:0/".parse().expect("a valid URL"),
            log_format: LogFormat::Pretty,
            master_key: MasterKey::parse(MASTER_KEY).expect("a valid key"),
            previous_master_keys: Vec::new(),
            shutdown_grace: Duration::from_secs(5),
            retention: Duration::from_secs(90 * 24 * 3600),
            raw_retention: Duration::from_secs(14 * 24 * 3600),
            // The console's hourly counts, rolled up often so that tests see them soon.
            roll_up_every: Duration::from_millis(200),
            site: SiteSettings {
                root: "target/site".into(),
                reload_port: 3001,
            },
            role,
            forwarding,
            access: AccessSettings {
                secure_cookies: false,
                session: auth::SessionPolicy::default(),
                first_admin_email: domain::access::Email::parse("admin@dlrhub.local")
                    .expect("valid"),
                metrics_token: Some(METRICS_TOKEN.to_owned().into()),
                client_ip_header: Some(http::HeaderName::from_static("x-forwarded-for")),
                signature_tolerance: Some(Duration::from_secs(24 * 3600)),
                // The tests' requests come from the loopback, as through a local proxy.
                trusted_proxies: vec!["127.0.0.0/8".parse().expect("a network")],
            },
        };
        change(&mut settings);
        let application = Application::build(&settings)
            .await
            .expect("the application starts");
        let address = format!("http://127.0.0.1:{}", application.port());
        let stop = application.stopper();
        let key = MasterKey::parse(MASTER_KEY).expect("a valid key");
        tokio::spawn(application.run_until_stopped());
        let pool = store::connect(db.clone(), PoolSettings::default());
        Self {
            address,
            client: reqwest::Client::new(),
            db,
            pool,
            cipher: Cipher::new(key.expose()),
            stop,
        }
    }

    /// Registers a tenant, as `dlrhub tenant add` does, with the integration on or off.
    pub async fn tenant(&self, app_key: &str, enabled: bool) -> TestTenant {
        let app_key = AppKey::parse(app_key).expect("a valid workspace id");
        let new = NewTenant {
            app_key: app_key.clone(),
            name: format!("{app_key} (test)"),
            data_center: DataCenter::parse("01").expect("valid"),
            moengage_api_key: "moe-test-key-1234".into(),
            demo: false,
        };
        let tenant = tenants::create(&self.pool, &self.cipher, new)
            .await
            .expect("registers");
        if enabled {
            tenants::set_integration(&self.pool, &app_key, true, "test")
                .await
                .expect("enables");
        }
        let credentials = tenant.callback_credentials(&self.cipher).expect("opens");
        TestTenant {
            app_key: app_key.to_string(),
            username: credentials.username,
            password: credentials.password,
        }
    }

    /// An enabled tenant whose callbacks must carry Sinch's HMAC signature with `secret`.
    pub async fn signing_tenant(&self, app_key: &str, secret: &str) -> TestTenant {
        let tenant = self.tenant(app_key, true).await;
        let key = AppKey::parse(app_key).expect("a valid workspace id");
        tenants::set_hmac_secret(&self.pool, &self.cipher, &key, Some(secret))
            .await
            .expect("sets the secret");
        tenant
    }

    /// A registered tenant's id, to arrange states through the store directly.
    pub async fn tenant_id(&self, app_key: &str) -> store::tenants::TenantId {
        let id: i64 = sqlx::query_scalar("SELECT id FROM tenants WHERE app_key = $1")
            .bind(app_key)
            .fetch_one(&self.pool)
            .await
            .expect("the tenant is registered");
        store::tenants::TenantId(id)
    }

    /// A POST to a workspace's webhook with a JSON content type and no credentials yet.
    pub fn webhook(&self, app_key: &str) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}/webhooks/sinch/{app_key}", self.address))
            .header("content-type", "application/json")
    }

    /// Posts a delivery report the way Sinch does: JSON, with the tenant's credentials.
    pub async fn post_report(&self, tenant: &TestTenant, body: &str) -> reqwest::Response {
        self.webhook(&tenant.app_key)
            .basic_auth(&tenant.username, Some(&tenant.password))
            .body(body.to_owned())
            .send()
            .await
            .expect("the request reaches the server")
    }

    /// Counts the rows a query selects, e.g. `count("events WHERE kind = 'sent'")`.
    pub async fn count(&self, from_where: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {from_where}"))
            .fetch_one(&self.pool)
            .await
            .expect("the count runs")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the request reaches the server")
    }

    /// `GET /metrics` as Prometheus asks for it, with the bearer token.
    pub async fn metrics(&self) -> reqwest::Response {
        self.client
            .get(format!("{}/metrics", self.address))
            .bearer_auth(METRICS_TOKEN)
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

/// Polls `check` until it holds, for changes other processes see asynchronously (a tenant
/// change reaches the server's cache by a database notification, within milliseconds).
/// Fails the test after 20 seconds, a third of the cache's 60 s safety expiry: a
/// background pass that takes a second alone took over five in CI, beside the other
/// tests on two cores (the roll-up of two seeded days, on the tables kept by the day).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A browser: a client that keeps cookies, signed in (or not) as one user.
pub struct Visitor {
    pub client: reqwest::Client,
    pub address: String,
    pub email: String,
    pub password: String,
}

/// A password every test user gets unless a test says otherwise.
pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    /// Adds a user directly (as `dlrhub user add --password-stdin` would).
    pub async fn user(&self, email: &str, role: domain::access::Role, tenants: &[&str]) {
        let new = auth::users::NewUser {
            email: domain::access::Email::parse(email).expect("a valid email"),
            role,
            tenants: tenants
                .iter()
                .map(|key| AppKey::parse(key).expect("a valid workspace id"))
                .collect(),
            password: Some(PASSWORD.to_owned()),
        };
        let by = auth::users::ChangedBy {
            actor: store::audit::Actor::System,
            source_ip: None,
        };
        auth::users::add(&self.pool, &auth::Passwords::new(2), &by, new)
            .await
            .expect("the user is added");
    }

    /// A browser that has not signed in.
    pub fn visitor(&self) -> Visitor {
        Visitor {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client"),
            address: self.address.clone(),
            email: String::new(),
            password: String::new(),
        }
    }

    /// A new user with `role` (a viewer of `tenants`), signed in through the login form.
    pub async fn signed_in(&self, role: domain::access::Role, tenants: &[&str]) -> Visitor {
        let email = format!("{role}-{}@example.com", self.count("users").await);
        self.user(&email, role, tenants).await;
        let mut visitor = self.visitor();
        let response = visitor.sign_in(&email, PASSWORD).await;
        assert_eq!(
            response.headers()["location"],
            "/",
            "signing in as {email} goes to the overview"
        );
        visitor.email = email;
        visitor.password = PASSWORD.to_owned();
        visitor
    }

    pub async fn admin(&self) -> Visitor {
        self.signed_in(domain::access::Role::Admin, &[]).await
    }
}

impl Visitor {
    /// Posts the login form as a browser does (with our own Origin), from the address `ip`
    /// (as a proxy would name it).
    pub async fn sign_in_from(&self, email: &str, password: &str, ip: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/auth/login", self.address))
            .header("origin", &self.address)
            .header("x-forwarded-for", ip)
            .form(&[("email", email), ("password", password), ("next", "/")])
            .send()
            .await
            .expect("the request reaches the server")
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.sign_in_from(email, password, "198.51.100.1").await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the request reaches the server")
    }

    /// Posts a form (the browser's way, with our own Origin).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .header("origin", &self.address)
            .form(form)
            .send()
            .await
            .expect("the request reaches the server")
    }

    /// Calls a server function by its endpoint, with form-encoded arguments.
    pub async fn call(&self, endpoint: &str, args: &[(&str, &str)]) -> reqwest::Response {
        self.post_form(&format!("/api/{endpoint}"), args).await
    }
}

/// The MoEngage simulator on a free port, knowing these `ID:KEY` workspaces (any key for
/// any workspace when empty) and accepting `rate_limit` events per second per workspace.
pub async fn moengage_simulator(
    workspaces: &[&str],
    rate_limit: u32,
) -> server::sim::moengage::Running {
    let args = server::sim::moengage::MoengageArgs {
        listen: "127.0.0.1:0".parse().expect("valid"),
        workspaces: workspaces.iter().map(|w| (*w).to_owned()).collect(),
        rate_limit,
        error_rate: 0.0,
        timeout_rate: 0.0,
        latency_ms: 0,
    };
    server::sim::moengage::Simulator::new(&args)
        .expect("valid arguments")
        .start(args.listen)
        .await
        .expect("the simulator starts")
}
