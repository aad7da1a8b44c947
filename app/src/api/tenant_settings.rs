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
