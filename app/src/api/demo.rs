//! "Try it with simulated traffic": a demo workspace of its own, fed a minute of simulated
//! Sinch traffic, so that a new user sees every page with something real on it. Offered
//! only where forwarding goes to the MoEngage simulator; the server implements it (it owns
//! the simulators and the HTTP client) and provides it as context, as it does the probes.

use super::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Whether the demo can run here, and why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DemoAvailability {
    /// Forwarding goes to the MoEngage simulator.
    Available,
    /// It goes to MoEngage itself (or nobody could tell): the demo would send made-up
    /// events to a real workspace.
    Unavailable(String),
}

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;

    use super::DemoAvailability;

    pub type DemoFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    pub trait Demo: Send + Sync {
        /// Whether forwarding goes to the MoEngage simulator (asked of it, not assumed).
        fn offer(&self) -> DemoFuture<'_, DemoAvailability>;

        /// Registers and enables a demo workspace (audited as `by`'s) and starts a minute of
        /// simulated traffic to it; answers its workspace id, or why it could not.
        fn start<'a>(
            &'a self,
            by: &'a auth::users::ChangedBy,
        ) -> DemoFuture<'a, Result<String, String>>;

        /// Stops the traffic to this demo workspace, if it is running here.
        fn stop(&self, app_key: &str);
    }

    /// The demo as the context carries it.
    #[derive(Clone)]
    pub struct SharedDemo(pub Arc<dyn Demo>);
}

/// Whether the demo can run here; None when the server provides no demo.
#[cfg(feature = "ssr")]
pub(crate) async fn available() -> Option<DemoAvailability> {
    let demo = use_context::<SharedDemo>()?;
    Some(demo.0.offer().await)
}

/// Whether the signed-in admin is offered the demo.
#[server(endpoint = "demo_offer")]
pub async fn demo_offer() -> Result<DemoAvailability, ApiError> {
    use domain::access::Action;

    use super::access::allowed;

    allowed(Action::RunDemo)?;
    available()
        .await
        .ok_or_else(|| ApiError::unavailable("the demo is not set up on this server"))
}

/// Starts the demo; answers the demo workspace's id, or (unavailable) why it cannot run
/// here.
#[server(endpoint = "start_demo")]
pub async fn start_demo() -> Result<String, ApiError> {
    use domain::access::Action;

    use super::access::allowed;

    let principal = allowed(Action::RunDemo)?;
    let demo = use_context::<SharedDemo>()
        .ok_or_else(|| ApiError::unavailable("the demo is not set up on this server"))?;
    let by = auth::users::ChangedBy::from(&principal);
    demo.0.start(&by).await.map_err(ApiError::unavailable)
}

/// Removes a demo workspace (as deleting a tenant does); refuses any other workspace.
#[server(endpoint = "remove_demo")]
pub async fn remove_demo(app_key: String) -> Result<(), ApiError> {
    use domain::access::Action;

    use super::access::allowed;
    use super::tenants::visible;

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    if !tenant.demo {
        return Err(ApiError::invalid(
            "app_key",
            "only a demo workspace is removed this way; delete others in Settings",
        ));
    }
    super::tenant_settings::deleted(&principal, &tenant).await
}
