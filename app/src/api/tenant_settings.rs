//! Changes to a tenant's secrets and existence, for support and admins: new callback
//! credentials, the HMAC signing secret, the MoEngage Data API key, and (soft) deletion.
//! Each one is audited and takes effect at once in every process (the tenant cache hears
//! of it through Postgres notifications).

use leptos::prelude::*;

use super::forms::FormResult;

/// New callback credentials: the old callback URL stops working at once, so the new one
/// must be pasted into Sinch. Answers the new URL.
#[server(endpoint = "rotate_callback_credentials")]
pub async fn rotate_callback_credentials(app_key: String) -> Result<String, ServerFnError> {
    use domain::access::{Action, AuditAction};

    use super::access::{allowed, cipher, internal, pool, public_url};
    use super::tenants::{audit, visible};

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    let cipher = cipher()?;
    let rotated = store::tenants::rotate_callback_password(&pool()?, &cipher, &tenant.app_key)
        .await
        .map_err(internal)?;
    audit(
        &principal,
        AuditAction::CallbackCredentialsRotated,
        &tenant,
        None,
        None,
    )
    .await?;
    let url = rotated
        .callback_url(&public_url()?, &cipher)
        .map_err(internal)?;
    Ok(url.to_string())
}

/// Turns HMAC signing on with a new generated secret (answered once, to hand to Sinch),
/// or off (answers None).
#[server(endpoint = "set_hmac_signing")]
pub async fn set_hmac_signing(app_key: String, on: bool) -> Result<Option<String>, ServerFnError> {
    use domain::access::{Action, AuditAction};

    use super::access::{allowed, cipher, internal, pool};
    use super::tenants::{audit, visible};

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    let secret = on
        .then(|| store::cipher::random_token(40))
        .transpose()
        .map_err(internal)?;
    store::tenants::set_hmac_secret(&pool()?, &cipher()?, &tenant.app_key, secret.as_deref())
        .await
        .map_err(internal)?;
    audit(
        &principal,
        AuditAction::HmacSecretChanged,
        &tenant,
        Some(serde_json::json!({ "hmac_signing": tenant.has_hmac_secret })),
        Some(serde_json::json!({ "hmac_signing": on })),
    )
    .await?;
    Ok(secret)
}

/// Replaces the MoEngage Data API key; forwarding paused by a 401 resumes.
#[server(endpoint = "replace_data_api_key")]
pub async fn replace_data_api_key(
    app_key: String,
    data_api_key: String,
) -> Result<FormResult<String>, ServerFnError> {
    use domain::access::{Action, AuditAction};

    use super::access::{allowed, cipher, internal, pool};
    use super::forms::FieldErrors;
    use super::tenants::{audit, visible};

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    if data_api_key.trim().is_empty() {
        return Ok(Err(FieldErrors::one(
            "data_api_key",
            "paste the workspace's new Data API key",
        )));
    }
    let replaced =
        store::tenants::set_moengage_api_key(&pool()?, &cipher()?, &tenant.app_key, &data_api_key)
            .await
            .map_err(internal)?;
    audit(
        &principal,
        AuditAction::DataApiKeyReplaced,
        &tenant,
        Some(serde_json::json!({ "last4": tenant.moengage_api_key_last4 })),
        Some(serde_json::json!({ "last4": replaced.moengage_api_key_last4 })),
    )
    .await?;
    Ok(Ok(replaced.moengage_api_key_last4))
}

/// Events per second MoEngage accepts per workspace on /v1/event (about 30,000 a minute).
pub const MAX_RATE_PER_S: u32 = 500;
/// The bulk API (/v1/transition) takes about 60,000 events a minute.
pub const MAX_BULK_RATE_PER_S: u32 = 1000;
/// A tenant needs about its rate times MoEngage's latency in flight (500/s at 200 ms is
/// 100); more only queue up at MoEngage.
pub const MAX_CONCURRENCY: u32 = 128;

/// How the tenant's events are forwarded: rate, requests in flight, bulk mode and whether
/// the full phone number is sent. Checkboxes send a value only when ticked.
#[server(endpoint = "set_forwarding")]
pub async fn set_forwarding(
    app_key: String,
    rate_per_s: String,
    concurrency: String,
    bulk: Option<String>,
    full_recipient: Option<String>,
) -> Result<FormResult<()>, ServerFnError> {
    use domain::access::{Action, AuditAction};
    use store::forwarding::{ForwardingChanges, ForwardingProfile};

    use super::access::{allowed, cipher, internal, pool};
    use super::forms::FieldErrors;
    use super::tenants::{audit, visible};

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    let mut errors = FieldErrors::default();
    let mut within = |field: &str, raw: &str, max: u32, what: &str| {
        raw.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .or_else(|| {
                errors.add(field, format!("{what}: a whole number from 1 to {max}"));
                None
            })
    };
    let max_rate = if bulk.is_some() {
        MAX_BULK_RATE_PER_S
    } else {
        MAX_RATE_PER_S
    };
    let rate = within(
        "rate_per_s",
        &rate_per_s,
        max_rate,
        if bulk.is_some() {
            "events per second in bulk mode"
        } else {
            "events per second (up to 1000 in bulk mode)"
        },
    );
    let concurrency = within(
        "concurrency",
        &concurrency,
        MAX_CONCURRENCY,
        "requests in flight",
    );
    let (Some(rate), Some(concurrency)) = (rate, concurrency) else {
        return Ok(Err(errors));
    };
    let (pool, cipher) = (pool()?, cipher()?);
    let settings = |p: &ForwardingProfile| {
        serde_json::json!({
            "rate_per_s": p.rate_per_s,
            "concurrency": p.concurrency,
            "full_recipient": p.full_recipient,
            "bulk": p.bulk,
        })
    };
    let before = store::forwarding::profile(&pool, &cipher, tenant.id)
        .await
        .map_err(internal)?;
    let changes = ForwardingChanges {
        rate_per_s: Some(rate),
        concurrency: Some(concurrency),
        full_recipient: Some(full_recipient.is_some()),
        bulk: Some(bulk.is_some()),
    };
    store::forwarding::configure(&pool, tenant.id, changes)
        .await
        .map_err(internal)?;
    let after = store::forwarding::profile(&pool, &cipher, tenant.id)
        .await
        .map_err(internal)?;
    audit(
        &principal,
        AuditAction::ForwardingChanged,
        &tenant,
        Some(settings(&before)),
        Some(settings(&after)),
    )
    .await?;
    Ok(Ok(()))
}

/// Deletes the tenant softly, once its workspace id has been typed to confirm.
#[server(endpoint = "delete_tenant")]
pub async fn delete_tenant(
    app_key: String,
    confirmation: String,
) -> Result<FormResult<()>, ServerFnError> {
    use domain::access::{Action, AuditAction};

    use super::access::{allowed, internal, pool};
    use super::forms::FieldErrors;
    use super::tenants::{audit, visible};

    let principal = allowed(Action::ManageTenants)?;
    let tenant = visible(&principal, &app_key).await?;
    if confirmation.trim() != tenant.app_key.as_str() {
        return Ok(Err(FieldErrors::one(
            "confirmation",
            format!("type {} to confirm", tenant.app_key),
        )));
    }
    store::tenants::delete(&pool()?, &tenant.app_key, principal.email.as_str())
        .await
        .map_err(internal)?;
    audit(
        &principal,
        AuditAction::TenantDeleted,
        &tenant,
        Some(serde_json::json!({ "name": tenant.name })),
        None,
    )
    .await?;
    leptos_axum::redirect("/tenants");
    Ok(Ok(()))
}
