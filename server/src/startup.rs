//! Builds the HTTP application. Tests build it on port 0 against a fresh database.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use app::{shell, App};
use auth::session_store::PgSessionStore;
use auth::Passwords;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{file_and_error_handler_with_context, generate_route_list, LeptosRoutes};
use store::moengage::DataApi;
use store::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use url::Url;

use crate::configuration::Settings;
use crate::demo::SimulatedDemo;
use crate::probes::HttpProbes;
use crate::routes::{self, access, health, same_origin, security_headers, webhooks};
use crate::state::{AppState, OperationsState, Shared};
use crate::workers::{Intake, Workers};

pub struct Application {
    listener: TcpListener,
    local_addr: SocketAddr,
    pool: PgPool,
    router: Router,
    public_url: Url,
    workers: Workers,
    stop: CancellationToken,
    shutdown_grace: Duration,
}

impl Application {
    /// Connects to the database, applies pending migrations, starts the background work
    /// of the process's role and binds the listener.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        // Install the metrics recorder before anything records.
        crate::telemetry::metrics::handle();
        let pool = settings.database.pool();
        store::migrate(&pool).await?;
        let listener = TcpListener::bind(settings.listen_addr)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen_addr))?;
        let local_addr = listener
            .local_addr()
            .context("reading the address the listener is bound to")?;
        let public_url = public_url(&settings.public_url, local_addr);
        let stop = CancellationToken::new();
        let workers = Workers::start(settings, &pool, &stop);
        let router = match workers.intake() {
            Some(intake) => {
                let state = app_state(settings, &pool, &public_url, local_addr, intake.clone());
                router(state, PgSessionStore::new(pool.clone()))
            }
            None => operations_router(
                OperationsState {
                    pool: pool.clone(),
                    access: settings.access.clone(),
                },
                public_url.scheme() == "https",
            ),
        };
        Ok(Self {
            listener,
            local_addr,
            pool,
            router,
            public_url,
            workers,
            stop,
            shutdown_grace: settings.shutdown_grace,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The database pool, shared with the background workers.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The base of the URLs handed out (the configured one, with the bound port for 0).
    pub fn public_url(&self) -> &Url {
        &self.public_url
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// Cancelling it stops the server and the background work (`serve` does on SIGTERM,
    /// a test when its app is dropped).
    pub fn stopper(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Serves until stopped, waits for the requests in flight, then gives the forwarding
    /// workers the grace period to finish their claims.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(self.stop.cancelled_owned())
        .await;
        self.workers.finish(self.shutdown_grace).await;
        served
    }
}

/// The bundle's name (cargo-leptos's `name`, and the start of every file in /pkg).
const OUTPUT_NAME: &str = "dlrhub";

/// The options Leptos renders and serves files with. The address is always the one dlrhub
/// actually listens on (port 0 in tests becomes the real port).
fn leptos_options(settings: &Settings, listening_on: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        // Pages name the hashed bundle only when the build hashed it (Leptos reads the same
        // hash file, and fails without it).
        .hash_files(routes::assets::hash_file().is_some())
        .output_name(OUTPUT_NAME)
        .site_root(settings.site.root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(listening_on)
        .reload_port(settings.site.reload_port)
        .build()
}

/// The bundle's hashed file names, when the build hashed them.
fn hashed_bundle() -> Vec<String> {
    routes::assets::hash_file()
        .map(|file| routes::assets::hashed_names(OUTPUT_NAME, &file))
        .unwrap_or_default()
}

/// The public URL as configured, except that port 0 (tests listen on any free port)
/// stands for the port actually bound.
fn public_url(configured: &Url, listening_on: SocketAddr) -> Url {
    let mut url = configured.clone();
    if url.port() == Some(0) {
        let _ = url.set_port(Some(listening_on.port()));
    }
    url
}

/// What the console and the webhook reach, in a process that serves them.
fn app_state(
    settings: &Settings,
    pool: &PgPool,
    public_url: &Url,
    local_addr: SocketAddr,
    intake: Intake,
) -> AppState {
    let data_api = DataApi::new(settings.forwarding.base_url.as_ref().map(Url::as_str));
    AppState::new(Shared {
        leptos_options: leptos_options(settings, local_addr),
        pool: pool.clone(),
        read_pool: settings.database.read_pool(pool),
        cipher: settings.cipher(),
        probes: HttpProbes::shared(data_api.clone(), public_url.clone(), settings.cipher()),
        demo: SimulatedDemo::new(
            data_api.clone(),
            pool.clone(),
            settings.cipher(),
            public_url.clone(),
        )
        .shared(),
        data_api,
        public_url: public_url.clone(),
        intake,
        unknown_workspaces: webhooks::UnknownWorkspaces::default(),
        refused_calls: webhooks::RefusedCalls::default(),
        exports: routes::export::ExportSlots::default(),
        passwords: Passwords::default(),
        access: settings.access.clone(),
    })
}

/// A workers-only process answers health checks and metrics, nothing else.
fn operations_router(state: OperationsState, https: bool) -> Router {
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(routes::metrics::render));
    security_headers::apply(router, https)
        .layer(routes::request_tracing())
        .with_state(state)
}

/// Sinch's callback: authenticated per tenant by the handler itself.
fn webhook_router() -> Router<AppState> {
    Router::new().route(
        "/webhooks/sinch/{app_key}",
        post(webhooks::receive).layer(DefaultBodyLimit::max(webhooks::MAX_BODY_BYTES)),
    )
}

fn router(state: AppState, sessions: PgSessionStore) -> Router {
    let context = {
        let pool = state.pool.clone();
        let read_pool = state.read_pool.clone();
        let passwords = state.passwords.clone();
        let cipher = state.cipher.clone();
        let public_url = state.public_url.clone();
        let probes = state.probes.clone();
        let demo = state.demo.clone();
        let data_api = state.data_api.clone();
        move || {
            provide_context(pool.clone());
            provide_context(read_pool.clone());
            provide_context(passwords.clone());
            provide_context(cipher.clone());
            provide_context(public_url.clone());
            provide_context(probes.clone());
            provide_context(demo.clone());
            provide_context(data_api.clone());
            security_headers::page_policy();
        }
    };
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name(auth::session::COOKIE_NAME)
        .with_secure(state.access.secure_cookies)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::try_from(state.access.session.idle)
                .unwrap_or(tower_sessions::cookie::time::Duration::HOUR),
        ));
    let leptos_options = state.leptos_options.clone();
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(routes::metrics::render))
        .route("/events.csv", get(routes::export::events_csv))
        .route("/auth/login", post(access::sign_in))
        .route("/auth/logout", post(access::sign_out))
        .route("/auth/logout-everywhere", post(access::sign_out_everywhere))
        .nest_service(
            "/pkg",
            routes::assets::bundle(&state.leptos_options.site_root, hashed_bundle()),
        )
        .leptos_routes_with_context(
            &state,
            generate_route_list(App),
            context.clone(),
            move || shell(leptos_options.clone()),
        )
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        .layer(axum::middleware::from_fn(access::require_sign_in))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::authenticate,
        ))
        .layer(session_layer)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            same_origin::require_same_origin,
        ))
        // Merged after the console's layers: Sinch's calls carry no session, and skipping
        // the cookie, session and origin checks is CPU saved on every report.
        .merge(webhook_router());
    let https = state.public_url.scheme() == "https";
    security_headers::apply(router, https)
        // Dynamic answers (pages, server-function JSON, CSV exports) compressed as the
        // client accepts, at a level cheap enough per request; the bundle arrives already
        // compressed and is left as it is.
        .layer(
            CompressionLayer::new()
                .br(true)
                .gzip(true)
                .quality(CompressionLevel::Precise(4)),
        )
        .layer(routes::request_tracing())
        .with_state(state)
}
