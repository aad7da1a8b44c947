//! A tenant's forwarding settings: what the workers need to send its events, and how
//! operators change them.

use sqlx::PgExecutor;

use crate::tenants::TenantId;

/// What the forwarder needs to send a tenant's events.
#[derive(Clone, PartialEq)]
pub struct ForwardingProfile {
    pub app_key: domain::AppKey,
    pub data_center: domain::DataCenter,
    pub api_key: String,
    pub rate_per_s: u32,
    pub concurrency: u32,
    pub full_recipient: bool,
    pub bulk: bool,
    pub paused: bool,
    /// Why forwarding is paused, for people.
    pub paused_reason: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("no tenant has the id {0}")]
    NotFound(i64),
    #[error(transparent)]
    Cipher(#[from] crate::cipher::CipherError),
    #[error("the tenant's stored settings are invalid: {0}")]
    Invalid(String),
    #[error("could not read the tenant")]
    Database(#[from] sqlx::Error),
}

pub async fn profile(
    executor: impl PgExecutor<'_>,
    cipher: &crate::Cipher,
    tenant: TenantId,
) -> Result<ForwardingProfile, ProfileError> {
    let row = sqlx::query!(
        r#"
        SELECT app_key, data_center, moengage_api_key_encrypted, forward_rate_per_s,
               forward_concurrency, forward_full_recipient, forward_bulk,
               forwarding_paused_at IS NOT NULL AS "paused!", forwarding_paused_reason
        FROM tenants WHERE id = $1
        "#,
        tenant.0,
    )
    .fetch_optional(executor)
    .await?
    .ok_or(ProfileError::NotFound(tenant.0))?;
    let invalid = |e: &dyn std::fmt::Display| ProfileError::Invalid(e.to_string());
    let app_key = domain::AppKey::parse(&row.app_key).map_err(|e| invalid(&e))?;
    Ok(ForwardingProfile {
        api_key: open_api_key(cipher, &app_key, &row.moengage_api_key_encrypted)?,
        data_center: domain::DataCenter::from_number(row.data_center).map_err(|e| invalid(&e))?,
        app_key,
        rate_per_s: u32::try_from(row.forward_rate_per_s).unwrap_or(1),
        concurrency: u32::try_from(row.forward_concurrency).unwrap_or(1),
        full_recipient: row.forward_full_recipient,
        bulk: row.forward_bulk,
        paused: row.paused,
        paused_reason: row.forwarding_paused_reason,
    })
}

/// Opens a tenant's sealed Data API key.
pub fn open_api_key(
    cipher: &crate::Cipher,
    app_key: &domain::AppKey,
    sealed: &[u8],
) -> Result<String, crate::cipher::CipherError> {
    let slot = crate::cipher::SecretSlot {
        app_key: app_key.as_str(),
        field: crate::tenants::MOENGAGE_API_KEY,
    };
    cipher.open(&slot, sealed)
}

impl ForwardingProfile {
    /// The profile of a tenant the forwarder drives, its key opened by the caller (which
    /// keeps opened keys for as long as the sealed one does not change).
    pub fn of_due(due: &super::leases::DueTenant, api_key: String) -> Result<Self, ProfileError> {
        let invalid = |e: &dyn std::fmt::Display| ProfileError::Invalid(e.to_string());
        Ok(Self {
            app_key: domain::AppKey::parse(&due.app_key).map_err(|e| invalid(&e))?,
            data_center: domain::DataCenter::from_number(due.data_center)
                .map_err(|e| invalid(&e))?,
            api_key,
            rate_per_s: u32::try_from(due.rate_per_s).unwrap_or(1).max(1),
            concurrency: u32::try_from(due.concurrency).unwrap_or(1).max(1),
            full_recipient: due.full_recipient,
            bulk: due.bulk,
            paused: due.stopped,
            paused_reason: None,
        })
    }
}

/// How a tenant's events are forwarded; None leaves a setting as it is.
#[derive(Debug, Default, Clone, Copy)]
pub struct ForwardingChanges {
    pub rate_per_s: Option<u32>,
    pub concurrency: Option<u32>,
    pub full_recipient: Option<bool>,
    pub bulk: Option<bool>,
}

/// Applies the changes; returns false when no tenant has that id.
pub async fn configure(
    executor: impl PgExecutor<'_>,
    tenant: TenantId,
    changes: ForwardingChanges,
) -> Result<bool, sqlx::Error> {
    let positive = |value: Option<u32>| value.map(|v| i32::try_from(v.max(1)).unwrap_or(i32::MAX));
    let updated = sqlx::query!(
        r#"
        UPDATE tenants
        SET forward_rate_per_s = COALESCE($2, forward_rate_per_s),
            forward_concurrency = COALESCE($3, forward_concurrency),
            forward_full_recipient = COALESCE($4, forward_full_recipient),
            forward_bulk = COALESCE($5, forward_bulk)
        WHERE id = $1
        "#,
        tenant.0,
        positive(changes.rate_per_s),
        positive(changes.concurrency),
        changes.full_recipient,
        changes.bulk,
    )
    .execute(executor)
    .await?;
    Ok(updated.rows_affected() == 1)
}
