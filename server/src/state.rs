//! What every handler and server function can reach: built once by
//! `startup::Application::build`, cloned into each request. A workers-only process has
//! no webhook or console, so it has only [`OperationsState`].

use std::sync::Arc;

use app::api::demo::SharedDemo;
use app::api::probes::SharedProbes;
use auth::Passwords;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use store::moengage::DataApi;
use store::{Cipher, PgPool, ReadPool};
use url::Url;

use crate::configuration::AccessSettings;
use crate::routes::{self, webhooks};
use crate::workers::Intake;

/// What every handler and server function can reach. Axum clones the state into every
/// request: one reference count, rather than a copy of the site options and settings
/// (their clone and drop were a few % of a webhook call's CPU).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The state's contents.
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    /// The console's heavy reads: a replica's pool, or the primary's.
    pub read_pool: ReadPool,
    /// Opens and seals secrets at rest under the master key.
    pub cipher: Cipher,
    /// The base of callback URLs handed to Sinch.
    pub public_url: Url,
    /// The webhook's writers and tenant cache.
    pub intake: Intake,
    /// Calls to workspace ids no tenant has, counted within bounds.
    pub unknown_workspaces: webhooks::UnknownWorkspaces,
    /// Refused calls (unknown workspace ids past their threshold included), gathered and
    /// written once a second per workspace and reason.
    pub refused_calls: webhooks::RefusedCalls,
    /// CSV exports running, per user.
    pub exports: routes::export::ExportSlots,
    /// Hashes and checks console passwords off the async threads.
    pub passwords: Passwords,
    pub access: AccessSettings,
    /// The console's checks against MoEngage and the public callback URL.
    pub probes: SharedProbes,
    /// "Try it with simulated traffic", where forwarding goes to the simulator.
    pub demo: SharedDemo,
    /// Where MoEngage is, for the console's view of a request (the workers build their
    /// own from the same settings).
    pub data_api: DataApi,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.pool.clone()
    }
}

/// What a workers-only process's health checks and metrics reach.
#[derive(Clone)]
pub struct OperationsState {
    pub pool: PgPool,
    pub access: AccessSettings,
}

impl FromRef<OperationsState> for PgPool {
    fn from_ref(state: &OperationsState) -> Self {
        state.pool.clone()
    }
}

impl FromRef<OperationsState> for AccessSettings {
    fn from_ref(state: &OperationsState) -> Self {
        state.access.clone()
    }
}

impl FromRef<AppState> for AccessSettings {
    fn from_ref(state: &AppState) -> Self {
        state.access.clone()
    }
}
