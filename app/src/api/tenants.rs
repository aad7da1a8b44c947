//! One tenant as the console shows it, within the user's tenant scope, and the changes
//! support and admins make (register, enable, disable). The list with its numbers is in
//! `activity`.

use super::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSummary {
    pub app_key: String,
    pub name: String,
    pub data_center: String,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantDetail {
    pub summary: TenantSummary,
    /// Who last enabled or disabled the integration, and when.
    pub integration_changed: Option<String>,
    pub data_api_key_last4: String,
    pub hmac_signing: bool,
    /// The URL to paste into Sinch; it carries credentials, so only people who manage
    /// tenants get it.
    pub callback_url: Option<String>,
    pub forwarding: ForwardingFacts,
    /// A demo workspace, removable in one click.
    pub demo: bool,
}

/// How the tenant's events are forwarded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardingFacts {
    pub rate_per_s: u32,
    pub concurrency: u32,
    pub bulk: bool,
    pub full_recipient: bool,
    /// Why forwarding is paused, when it is.
    pub paused: Option<String>,
    pub now: crate::api::activity::ForwardingNow,
}

#[cfg(feature = "ssr")]
fn summary(tenant: &store::tenants::Tenant) -> TenantSummary {
    TenantSummary {
        app_key: tenant.app_key.to_string(),
        name: tenant.name.clone(),
        data_center: tenant.data_center.to_string(),
        enabled: tenant.integration_enabled,
    }
}

/// The tenant with this workspace id if the user may see it; 404 otherwise, whether it
/// does not exist or is outside their scope (the two look the same from outside).
#[cfg(feature = "ssr")]
pub(crate) async fn visible(
    principal: &auth::Principal,
    app_key: &str,
) -> Result<store::tenants::Tenant, ApiError> {
    use super::access::pool;
    let not_found = || ApiError::not_found("no such tenant");
    let app_key = domain::AppKey::parse(app_key).map_err(|_| not_found())?;
    let tenant = store::tenants::find(&pool()?, &app_key)
        .await?
        .ok_or_else(not_found)?;
    if principal.sees_tenant(tenant.id) {
        Ok(tenant)
    } else {
        Err(not_found())
    }
}

/// The tenants the user may see, for queries across tenants.
#[cfg(feature = "ssr")]
pub(crate) async fn visible_ids(
    principal: &auth::Principal,
    pool: &store::PgPool,
) -> Result<Vec<store::tenants::TenantId>, ApiError> {
    Ok(principal
        .tenants(pool)
        .await?
        .into_iter()
        .map(|tenant| tenant.id)
        .collect())
}

/// A tenant change the service refused or could not make, as the console answers it:
/// the caller's mistakes beside the field they concern, anything else as ours.
#[cfg(feature = "ssr")]
impl From<auth::tenants::TenantChangeError> for ApiError {
    fn from(error: auth::tenants::TenantChangeError) -> Self {
        use auth::tenants::TenantChangeError as E;
        let field = match &error {
            E::NotFound(_) => return Self::not_found("no such tenant"),
            E::Cipher(_) | E::Database(_) => {
                return Self::internal(error);
            }
            E::Conflict(_) => "app_key",
            E::EmptyName => "name",
            E::EmptyApiKey => "data_api_key",
            E::EmptySecret => "secret",
            E::EmptyNote => "note",
            E::Limit(_) => "form",
        };
        Self::invalid(field, error)
    }
}

#[server(endpoint = "get_tenant")]
pub async fn get_tenant(app_key: String) -> Result<TenantDetail, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, cipher, pool, public_url};
    let principal = allowed(Action::ViewEvents)?;
    let tenant = visible(&principal, &app_key).await?;
    let profile = store::forwarding::profile(&pool()?, &cipher()?, tenant.id).await?;
    let now_facts = store::forwarding::leases::now(&pool()?, &[tenant.id])
        .await?
        .into_iter()
        .next()
        .map(|(_, now)| crate::api::activity::forwarding_now(&now, chrono::Utc::now()))
        .unwrap_or_default();
    let callback_url = if principal.may(Action::ManageTenants) {
        Some(tenant.callback_url(&public_url()?, &cipher()?)?.to_string())
    } else {
        None
    };
    Ok(TenantDetail {
        summary: summary(&tenant),
        integration_changed: tenant.integration_changed_at.map(|at| {
            let by = tenant
                .integration_changed_by
                .as_deref()
                .unwrap_or("someone");
            format!("{by}, {}", domain::shown_time::to_minute(at))
        }),
        data_api_key_last4: tenant.moengage_api_key_last4.clone(),
        hmac_signing: tenant.has_hmac_secret,
        callback_url,
        forwarding: ForwardingFacts {
            rate_per_s: profile.rate_per_s,
            concurrency: profile.concurrency,
            bulk: profile.bulk,
            full_recipient: profile.full_recipient,
            paused: profile.paused.then(|| {
                profile
                    .paused_reason
                    .unwrap_or_else(|| store::forwarding::REFUSED_KEY_REASON.to_owned())
            }),
            now: now_facts,
        },
        demo: tenant.demo,
    })
}

#[server(endpoint = "register_tenant")]
pub async fn register_tenant(
    app_key: String,
    name: String,
    data_center: String,
    data_api_key: String,
) -> Result<String, ApiError> {
    use auth::tenants::TenantChangeError;
    use domain::access::Action;

    use super::access::{allowed, cipher, pool};
    use super::forms::FieldErrors;

    let principal = allowed(Action::ManageTenants)?;
    let mut errors = FieldErrors::default();
    let key = domain::AppKey::parse(&app_key)
        .map_err(|error| errors.add("app_key", error))
        .ok();
    if name.trim().is_empty() {
        errors.add("name", "give the tenant a name people recognise");
    }
    let dc = domain::DataCenter::parse(&data_center)
        .map_err(|error| errors.add("data_center", error))
        .ok();
    if data_api_key.trim().is_empty() {
        errors.add("data_api_key", "paste the workspace's Data API key");
    }
    let (Some(key), Some(dc), true) = (key, dc, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let new = store::tenants::NewTenant {
        app_key: key,
        name,
        data_center: dc,
        moengage_api_key: data_api_key,
        demo: false,
    };
    let by = auth::users::ChangedBy::from(&principal);
    match auth::tenants::register(&pool()?, &cipher()?, &by, new).await {
        Ok(tenant) => Ok(tenant.app_key.to_string()),
        Err(TenantChangeError::Conflict(key)) => Err(ApiError::invalid(
            "app_key",
            format!("a tenant with workspace id {key} is already registered"),
        )),
        Err(error) => Err(error.into()),
    }
}

/// Enables or disables the Sinch integration; every process sees it within milliseconds.
#[server(endpoint = "set_integration")]
pub async fn set_integration(app_key: String, enabled: bool) -> Result<(), ApiError> {
    use domain::access::Action;

    use super::access::{allowed, pool};

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    let by = auth::users::ChangedBy::from(&principal);
    auth::tenants::set_integration(&pool()?, &by, &tenant.app_key, enabled).await?;
    Ok(())
}
