//! "Does it work?" buttons: MoEngage credentials tried before (or after) registering, and a
//! synthetic delivery report sent through a tenant's real callback URL.

use leptos::prelude::*;

use super::error::ApiError;
use super::probes::ProbeResult;

/// Tries a workspace id, data center and Data API key against MoEngage, before the tenant
/// is registered (the register form's "Test credentials").
#[server(endpoint = "test_new_credentials")]
pub async fn test_new_credentials(
    app_key: String,
    data_center: String,
    data_api_key: String,
) -> Result<ProbeResult, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, probes};
    use super::forms::FieldErrors;
    use super::probes::Workspace;

    allowed(Action::ManageTenants)?;
    let mut errors = FieldErrors::default();
    let app_key = domain::AppKey::parse(&app_key)
        .map_err(|error| errors.add("app_key", error))
        .ok();
    let data_center = domain::DataCenter::parse(&data_center)
        .map_err(|error| errors.add("data_center", error))
        .ok();
    if data_api_key.trim().is_empty() {
        errors.add("data_api_key", "paste the workspace's Data API key");
    }
    let (Some(app_key), Some(data_center), true) = (app_key, data_center, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let workspace = Workspace {
        app_key: &app_key,
        data_center,
        data_api_key: &data_api_key,
    };
    Ok(probes()?.0.check_credentials(workspace).await)
}

/// Tries a registered tenant's stored Data API key against MoEngage.
#[server(endpoint = "test_tenant_credentials")]
pub async fn test_tenant_credentials(app_key: String) -> Result<ProbeResult, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, cipher, pool, probes};
    use super::probes::Workspace;
    use super::tenants::visible;

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    let profile = store::forwarding::profile(&pool()?, &cipher()?, tenant.id).await?;
    let workspace = Workspace {
        app_key: &profile.app_key,
        data_center: profile.data_center,
        data_api_key: &profile.api_key,
    };
    Ok(probes()?.0.check_credentials(workspace).await)
}

/// Posts a synthetic delivery report to the tenant's callback URL, the way Sinch would: a
/// check of the whole path (URL, credentials, signature, storage, forwarding).
#[server(endpoint = "send_test_report")]
pub async fn send_test_report(app_key: String) -> Result<ProbeResult, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, probes};
    use super::tenants::visible;

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    Ok(probes()?.0.send_test_report(&tenant).await)
}
