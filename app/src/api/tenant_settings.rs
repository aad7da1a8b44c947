//! Changes to a tenant's secrets and existence, for support and admins: new callback
//! credentials, the HMAC signing secret, the MoEngage Data API key, and (soft) deletion.
//! Each one is audited and takes effect at once in every process (the tenant cache hears
//! of it through Postgres notifications).

use super::error::ApiError;
use leptos::prelude::*;

/// New callback credentials: the old callback URL stops working at once, so the new one
/// must be pasted into Sinch. Answers the new URL.
#[server(endpoint = "rotate_callback_credentials")]
pub async fn rotate_callback_credentials(app_key: String) -> Result<String, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, cipher, pool, public_url};
    use super::tenants::visible;

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    let cipher = cipher()?;
    let by = auth::users::ChangedBy::from(&principal);
    let rotated =
        auth::tenants::rotate_callback_credentials(&pool()?, &cipher, &by, &tenant.app_key).await?;
    let url = rotated.callback_url(&public_url()?, &cipher)?;
    Ok(url.to_string())
}

/// Turns HMAC signing on with a new generated secret (answered once, to hand to Sinch),
/// or off (answers None).
#[server(endpoint = "set_hmac_signing")]
pub async fn set_hmac_signing(app_key: String, on: bool) -> Result<Option<String>, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, cipher, pool};
    use super::tenants::visible;

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    let secret = on.then(|| store::cipher::random_token(40)).transpose()?;
    let by = auth::users::ChangedBy::from(&principal);
    auth::tenants::set_hmac_secret(
        &pool()?,
        &cipher()?,
        &by,
        &tenant.app_key,
        secret.as_deref(),
    )
    .await?;
    Ok(secret)
}

/// Replaces the MoEngage Data API key; forwarding paused by a 401 resumes.
#[server(endpoint = "replace_data_api_key")]
pub async fn replace_data_api_key(
    app_key: String,
    data_api_key: String,
) -> Result<String, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, cipher, pool};
    use super::tenants::visible;

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    if data_api_key.trim().is_empty() {
        return Err(ApiError::invalid(
            "data_api_key",
            "paste the workspace's new Data API key",
        ));
    }
    let by = auth::users::ChangedBy::from(&principal);
    let replaced = auth::tenants::replace_data_api_key(
        &pool()?,
        &cipher()?,
        &by,
        &tenant.app_key,
        &data_api_key,
    )
    .await?;
    Ok(replaced.moengage_api_key_last4)
}

/// How the tenant's events are forwarded: rate, requests in flight, bulk mode and whether
/// the full phone number is sent. Checkboxes send a value only when ticked.
#[server(endpoint = "set_forwarding")]
pub async fn set_forwarding(
    app_key: String,
    rate_per_s: String,
    concurrency: String,
    bulk: Option<String>,
    full_recipient: Option<String>,
) -> Result<(), ApiError> {
    use auth::tenants::TenantChangeError;
    use domain::access::Action;
    use domain::forwarding_limits::{check_concurrency, check_rate, LimitError};
    use store::forwarding::ForwardingChanges;

    use super::access::{allowed, cipher, pool};
    use super::forms::FieldErrors;
    use super::tenants::visible;

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    let field = |error: &LimitError| match error {
        LimitError::Rate { .. } => "rate_per_s",
        LimitError::Concurrency => "concurrency",
    };
    // Both fields are checked, so that the form shows every mistake at once; what is not
    // a number at all gets the range's message. The service checks them again.
    let bulk = bulk.is_some();
    let number = |raw: &str| raw.trim().parse::<u32>().unwrap_or(0);
    let (rate, concurrency) = (number(&rate_per_s), number(&concurrency));
    let mut errors = FieldErrors::default();
    for error in [check_rate(rate, bulk), check_concurrency(concurrency)]
        .into_iter()
        .filter_map(Result::err)
    {
        errors.add(field(&error), error);
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let changes = ForwardingChanges {
        rate_per_s: Some(rate),
        concurrency: Some(concurrency),
        full_recipient: Some(full_recipient.is_some()),
        bulk: Some(bulk),
    };
    let by = auth::users::ChangedBy::from(&principal);
    match auth::tenants::set_forwarding(&pool()?, &cipher()?, &by, &tenant.app_key, changes).await {
        Ok(_) => Ok(()),
        Err(TenantChangeError::Limit(error)) => Err(ApiError::invalid(field(&error), error)),
        Err(error) => Err(error.into()),
    }
}

/// Deletes the tenant softly, once its workspace id has been typed to confirm.
#[server(endpoint = "delete_tenant")]
pub async fn delete_tenant(app_key: String, confirmation: String) -> Result<(), ApiError> {
    use domain::access::Action;

    use super::access::allowed;
    use super::tenants::visible;

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    if confirmation.trim() != tenant.app_key.as_str() {
        return Err(ApiError::invalid(
            "confirmation",
            format!("type {} to confirm", tenant.app_key),
        ));
    }
    deleted(&principal, &tenant).await
}

/// Deletes `tenant` softly and sends the browser back to the list. A demo workspace's
/// traffic stops first, whichever button deleted it: calls to a deleted workspace would be
/// counted as Sinch calling a workspace no tenant has.
#[cfg(feature = "ssr")]
pub(crate) async fn deleted(
    principal: &auth::Principal,
    tenant: &store::tenants::Tenant,
) -> Result<(), ApiError> {
    use super::access::pool;
    use super::demo::SharedDemo;

    if tenant.demo {
        if let Some(demo) = use_context::<SharedDemo>() {
            demo.0.stop(tenant.app_key.as_str());
        }
    }
    let by = auth::users::ChangedBy::from(principal);
    auth::tenants::delete(&pool()?, &by, &tenant.app_key).await?;
    leptos_axum::redirect("/tenants");
    Ok(())
}
