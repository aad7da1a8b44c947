//! The changes people make to tenants, each written in one transaction with its audit
//! entry. The console's tenant pages, `dlrhub tenant ...` and `dlrhub events replay` all
//! go through here, so a change is recorded the same way whoever makes it, and a limit the
//! console enforces holds at the command line too.
//!
//! Every change locks the tenant's row first: its "before" is what the change replaced,
//! even with two people at work on the same tenant.

use domain::access::AuditAction;
use domain::forwarding_limits::{self, LimitError};
use domain::AppKey;
use serde_json::{json, Value};
use sqlx::PgConnection;
use store::audit::{self, AuditEntry};
use store::cipher::CipherError;
use store::forwarding::{self, ForwardingChanges, ForwardingProfile, Replay, ReplaySelection};
use store::tenants::{self as stored, CreateTenantError, NewTenant, Tenant, TenantError};
use store::{Cipher, PgPool};

use crate::users::ChangedBy;

#[derive(Debug, thiserror::Error)]
pub enum TenantChangeError {
    #[error("no tenant has the workspace id {0}")]
    NotFound(AppKey),
    #[error("a tenant with workspace id {0} is already registered")]
    Conflict(AppKey),
    #[error("give the tenant a name people recognise")]
    EmptyName,
    #[error("paste the workspace's Data API key")]
    EmptyApiKey,
    #[error("give a signing secret, or turn signing off")]
    EmptySecret,
    #[error("{0}")]
    Limit(#[from] LimitError),
    #[error("say why they are discarded: the note stays with them")]
    EmptyNote,
    #[error(transparent)]
    Cipher(#[from] CipherError),
    #[error("could not change the tenant")]
    Database(#[from] sqlx::Error),
}

impl From<CreateTenantError> for TenantChangeError {
    fn from(error: CreateTenantError) -> Self {
        match error {
            CreateTenantError::Conflict(key) => Self::Conflict(key),
            CreateTenantError::EmptyName => Self::EmptyName,
            CreateTenantError::EmptyApiKey => Self::EmptyApiKey,
            CreateTenantError::Cipher(error) => Self::Cipher(error),
            CreateTenantError::Database(error) => Self::Database(error),
        }
    }
}

impl From<TenantError> for TenantChangeError {
    fn from(error: TenantError) -> Self {
        match error {
            TenantError::NotFound(key) => Self::NotFound(key),
            TenantError::EmptyApiKey => Self::EmptyApiKey,
            TenantError::Cipher(error) => Self::Cipher(error),
            TenantError::Database(error) => Self::Database(error),
        }
    }
}

impl From<forwarding::ProfileError> for TenantChangeError {
    fn from(error: forwarding::ProfileError) -> Self {
        match error {
            forwarding::ProfileError::Cipher(error) => Self::Cipher(error),
            forwarding::ProfileError::Database(error) => Self::Database(error),
            // The row was locked a moment ago; anything else is a broken row.
            other => Self::Database(sqlx::Error::Decode(other.to_string().into())),
        }
    }
}

/// Registers a tenant; the integration starts disabled.
pub async fn register(
    pool: &PgPool,
    cipher: &Cipher,
    by: &ChangedBy,
    new: NewTenant,
) -> Result<Tenant, TenantChangeError> {
    let mut tx = pool.begin().await?;
    let tenant = stored::create(&mut *tx, cipher, new).await?;
    let after = json!({ "name": tenant.name, "data_center": tenant.data_center.to_string() });
    record(
        &mut tx,
        by,
        AuditAction::TenantCreated,
        &tenant,
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(tenant)
}

/// Enables or disables the Sinch integration; every process sees it within milliseconds.
pub async fn set_integration(
    pool: &PgPool,
    by: &ChangedBy,
    app_key: &AppKey,
    enabled: bool,
) -> Result<Tenant, TenantChangeError> {
    let mut tx = pool.begin().await?;
    let before = locked(&mut tx, app_key).await?;
    let after = stored::set_integration(&mut *tx, app_key, enabled, &by.actor.label()).await?;
    let action = if enabled {
        AuditAction::IntegrationEnabled
    } else {
        AuditAction::IntegrationDisabled
    };
    let state =
        |tenant: &Tenant| Some(json!({ "integration_enabled": tenant.integration_enabled }));
    record(&mut tx, by, action, &after, state(&before), state(&after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// New callback credentials: the old callback URL stops working at once.
pub async fn rotate_callback_credentials(
    pool: &PgPool,
    cipher: &Cipher,
    by: &ChangedBy,
    app_key: &AppKey,
) -> Result<Tenant, TenantChangeError> {
    let mut tx = pool.begin().await?;
    locked(&mut tx, app_key).await?;
    let tenant = stored::rotate_callback_password(&mut *tx, cipher, app_key).await?;
    let action = AuditAction::CallbackCredentialsRotated;
    record(&mut tx, by, action, &tenant, None, None).await?;
    tx.commit().await?;
    Ok(tenant)
}

/// Sets the secret Sinch signs callbacks with, or with None stops checking signatures.
pub async fn set_hmac_secret(
    pool: &PgPool,
    cipher: &Cipher,
    by: &ChangedBy,
    app_key: &AppKey,
    secret: Option<&str>,
) -> Result<Tenant, TenantChangeError> {
    let secret = secret.map(str::trim);
    if secret == Some("") {
        return Err(TenantChangeError::EmptySecret);
    }
    let mut tx = pool.begin().await?;
    let before = locked(&mut tx, app_key).await?;
    let after = stored::set_hmac_secret(&mut *tx, cipher, app_key, secret).await?;
    let state = |tenant: &Tenant| Some(json!({ "hmac_signing": tenant.has_hmac_secret }));
    let action = AuditAction::HmacSecretChanged;
    record(&mut tx, by, action, &after, state(&before), state(&after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// Replaces the MoEngage Data API key; forwarding paused by a 401 resumes.
pub async fn replace_data_api_key(
    pool: &PgPool,
    cipher: &Cipher,
    by: &ChangedBy,
    app_key: &AppKey,
    data_api_key: &str,
) -> Result<Tenant, TenantChangeError> {
    let mut tx = pool.begin().await?;
    let before = locked(&mut tx, app_key).await?;
    let after = stored::set_moengage_api_key(&mut *tx, cipher, app_key, data_api_key).await?;
    // Never the key itself: the last four characters people see on the page.
    let state = |tenant: &Tenant| Some(json!({ "last4": tenant.moengage_api_key_last4 }));
    let action = AuditAction::DataApiKeyReplaced;
    record(&mut tx, by, action, &after, state(&before), state(&after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// Changes how the tenant's events are forwarded, within MoEngage's allowance for the
/// mode the tenant ends up in; None leaves a setting as it is.
pub async fn set_forwarding(
    pool: &PgPool,
    cipher: &Cipher,
    by: &ChangedBy,
    app_key: &AppKey,
    changes: ForwardingChanges,
) -> Result<ForwardingProfile, TenantChangeError> {
    let mut tx = pool.begin().await?;
    let tenant = locked(&mut tx, app_key).await?;
    let before = forwarding::profile(&mut *tx, cipher, tenant.id).await?;
    forwarding_limits::check(
        changes.rate_per_s.unwrap_or(before.rate_per_s),
        changes.concurrency.unwrap_or(before.concurrency),
        changes.bulk.unwrap_or(before.bulk),
    )?;
    forwarding::configure(&mut *tx, tenant.id, changes).await?;
    let after = forwarding::profile(&mut *tx, cipher, tenant.id).await?;
    let settings = |p: &ForwardingProfile| {
        Some(json!({
            "rate_per_s": p.rate_per_s,
            "concurrency": p.concurrency,
            "full_recipient": p.full_recipient,
            "bulk": p.bulk,
        }))
    };
    let action = AuditAction::ForwardingChanged;
    record(
        &mut tx,
        by,
        action,
        &tenant,
        settings(&before),
        settings(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes the tenant softly (see `store::tenants::delete`).
pub async fn delete(
    pool: &PgPool,
    by: &ChangedBy,
    app_key: &AppKey,
) -> Result<(), TenantChangeError> {
    let mut tx = pool.begin().await?;
    let tenant = locked(&mut tx, app_key).await?;
    stored::delete(&mut *tx, app_key, &by.actor.label()).await?;
    let before = Some(json!({ "name": tenant.name }));
    record(
        &mut tx,
        by,
        AuditAction::TenantDeleted,
        &tenant,
        before,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues the selected events of `tenant` for forwarding again.
pub async fn replay(
    pool: &PgPool,
    by: &ChangedBy,
    tenant: &Tenant,
    selection: &ReplaySelection,
) -> Result<Replay, TenantChangeError> {
    let mut tx = pool.begin().await?;
    let replay = forwarding::replay(&mut *tx, &scoped(tenant, selection)).await?;
    let mut after = described(selection);
    after["queued"] = json!(replay.queued);
    record(
        &mut tx,
        by,
        AuditAction::ReplayStarted,
        tenant,
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(replay)
}

/// Discards the selected dead letters of `tenant` for the `note` given; answers how many.
pub async fn discard(
    pool: &PgPool,
    by: &ChangedBy,
    tenant: &Tenant,
    selection: &ReplaySelection,
    note: &str,
) -> Result<u64, TenantChangeError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(TenantChangeError::EmptyNote);
    }
    let mut tx = pool.begin().await?;
    let selection = scoped(tenant, selection);
    let discarded = forwarding::discard(&mut *tx, &selection, &by.actor.label(), note).await?;
    let mut after = described(&selection);
    after["note"] = json!(note);
    after["discarded"] = json!(discarded);
    let action = AuditAction::DeadLettersDiscarded;
    record(&mut tx, by, action, tenant, None, Some(after)).await?;
    tx.commit().await?;
    Ok(discarded)
}

/// The selection, held to `tenant` whatever tenant it names: a caller cannot reach
/// another tenant's events through it.
fn scoped(tenant: &Tenant, selection: &ReplaySelection) -> ReplaySelection {
    let mut selection = selection.clone();
    match &mut selection {
        ReplaySelection::Event { tenant: id, .. }
        | ReplaySelection::Events { tenant: id, .. }
        | ReplaySelection::Dead { tenant: id, .. } => *id = tenant.id,
    }
    selection
}

/// Which events a replay or a discard chose, as its audit entry records them.
fn described(selection: &ReplaySelection) -> Value {
    match selection {
        ReplaySelection::Event { id, .. } => json!({ "events": [id] }),
        ReplaySelection::Events { ids, .. } => json!({ "events": ids }),
        ReplaySelection::Dead {
            reason, from, to, ..
        } => json!({ "dead_letters": { "reason": reason, "from": from, "to": to } }),
    }
}

async fn locked(tx: &mut PgConnection, app_key: &AppKey) -> Result<Tenant, TenantChangeError> {
    let not_found = || TenantChangeError::NotFound(app_key.clone());
    if !stored::lock(&mut *tx, app_key).await? {
        return Err(not_found());
    }
    stored::find(&mut *tx, app_key).await?.ok_or_else(not_found)
}

async fn record(
    tx: &mut PgConnection,
    by: &ChangedBy,
    action: AuditAction,
    tenant: &Tenant,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), sqlx::Error> {
    let entry = AuditEntry::new(by.actor.clone(), action)
        .target(tenant.app_key.to_string())
        .tenant(tenant.id)
        .change(before, after)
        .from_ip(by.source_ip.clone());
    audit::record(&mut *tx, &entry).await
}
