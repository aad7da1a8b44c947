//! Checks the console makes against the world outside the database: whether MoEngage
//! accepts a Data API key, and whether a report sent to a tenant's callback URL comes
//! through. The server implements them (it owns the HTTP client, the MoEngage base URL and
//! the webhook's signing) and provides them as context; server functions only call them.

use serde::{Deserialize, Serialize};

/// What a check found, in words for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub ok: bool,
    pub message: String,
    /// The test report's batch id, to find its event among the tenant's events.
    pub batch_id: Option<String>,
}

impl ProbeResult {
    pub fn passed(message: impl Into<String>) -> Self {
        Self {
            ok: true,
            message: message.into(),
            batch_id: None,
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            ok: false,
            message: message.into(),
            batch_id: None,
        }
    }
}

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;

    use super::ProbeResult;

    pub type ProbeFuture<'a> = Pin<Box<dyn Future<Output = ProbeResult> + Send + 'a>>;

    /// What a Data API key is checked against.
    pub struct Workspace<'a> {
        pub app_key: &'a domain::AppKey,
        pub data_center: domain::DataCenter,
        pub data_api_key: &'a str,
    }

    pub trait Probes: Send + Sync {
        /// One authenticated call to MoEngage that stores nothing.
        fn check_credentials<'a>(&'a self, workspace: Workspace<'a>) -> ProbeFuture<'a>;

        /// Posts a synthetic delivery report to the tenant's callback URL, as Sinch would.
        fn send_test_report<'a>(&'a self, tenant: &'a store::tenants::Tenant) -> ProbeFuture<'a>;
    }

    /// The probes as the context carries them.
    #[derive(Clone)]
    pub struct SharedProbes(pub Arc<dyn Probes>);
}
