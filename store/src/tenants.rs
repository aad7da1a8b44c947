//! Tenants: MoEngage workspaces registered with dlrhub, their credentials and whether the
//! Sinch integration is enabled for them.

use chrono::{DateTime, Utc};
use domain::{AppKey, DataCenter};
use serde::Serialize;
use sqlx::{PgExecutor, PgPool, Postgres};

use crate::cipher::{random_token, Cipher, CipherError, SecretSlot};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, sqlx::Type)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct TenantId(pub i64);

#[derive(Debug, Clone, Serialize)]
pub struct Tenant {
    pub id: TenantId,
    pub app_key: AppKey,
    pub name: String,
    pub data_center: DataCenter,
    pub moengage_api_key_last4: String,
    pub integration_enabled: bool,
    pub integration_changed_by: Option<String>,
    pub integration_changed_at: Option<DateTime<Utc>>,
    pub callback_username: String,
    #[serde(skip)]
    callback_password_encrypted: Vec<u8>,
    pub has_hmac_secret: bool,
    #[serde(skip)]
    hmac_secret_encrypted: Option<Vec<u8>>,
    pub created_at: DateTime<Utc>,
    /// Registered by the demo against the MoEngage simulator (see `demo`).
    pub demo: bool,
}

/// The HTTP Basic credentials Sinch presents on every callback.
pub struct CallbackCredentials {
    pub username: String,
    pub password: String,
}

impl Tenant {
    pub fn callback_credentials(
        &self,
        cipher: &Cipher,
    ) -> Result<CallbackCredentials, CipherError> {
        Ok(CallbackCredentials {
            username: self.callback_username.clone(),
            password: cipher.open(
                &self.slot(CALLBACK_PASSWORD),
                &self.callback_password_encrypted,
            )?,
        })
    }

    /// The URL to paste into the Sinch dashboard: the webhook path for this workspace under
    /// dlrhub's public URL, with the Basic credentials Sinch will present.
    pub fn callback_url(
        &self,
        public_url: &url::Url,
        cipher: &Cipher,
    ) -> Result<url::Url, CipherError> {
        let credentials = self.callback_credentials(cipher)?;
        let mut url = self.callback_endpoint(public_url);
        // Both parts are URL-safe by construction; a base URL that cannot carry
        // credentials (not http/https) is refused when the configuration is read.
        let _ = url.set_username(&credentials.username);
        let _ = url.set_password(Some(&credentials.password));
        Ok(url)
    }

    /// The webhook's address for this workspace, without credentials.
    pub fn callback_endpoint(&self, public_url: &url::Url) -> url::Url {
        let mut url = public_url.clone();
        url.set_path(&format!(
            "{}webhooks/sinch/{}",
            public_url.path(),
            self.app_key
        ));
        url
    }

    pub fn hmac_secret(&self, cipher: &Cipher) -> Result<Option<String>, CipherError> {
        self.hmac_secret_encrypted
            .as_deref()
            .map(|blob| cipher.open(&self.slot(HMAC_SECRET), blob))
            .transpose()
    }

    fn slot(&self, field: &'static str) -> SecretSlot<'_> {
        SecretSlot {
            app_key: self.app_key.as_str(),
            field,
        }
    }
}

pub(crate) const CALLBACK_PASSWORD: &str = "callback_password";
pub(crate) const HMAC_SECRET: &str = "hmac_secret";
pub(crate) const MOENGAGE_API_KEY: &str = "moengage_api_key";

pub struct NewTenant {
    pub app_key: AppKey,
    pub name: String,
    pub data_center: DataCenter,
    pub moengage_api_key: String,
    /// A demo workspace (false for every workspace people register).
    pub demo: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateTenantError {
    #[error("a tenant with workspace id {0} already exists")]
    Conflict(AppKey),
    #[error("the tenant name is empty")]
    EmptyName,
    #[error("the MoEngage Data API key is empty")]
    EmptyApiKey,
    #[error(transparent)]
    Cipher(#[from] CipherError),
    #[error("could not store the tenant")]
    Database(#[source] sqlx::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("no tenant has the workspace id {0}")]
    NotFound(AppKey),
    #[error("the MoEngage Data API key is empty")]
    EmptyApiKey,
    #[error(transparent)]
    Cipher(#[from] CipherError),
    #[error("could not read or update the tenant")]
    Database(#[from] sqlx::Error),
}

/// Registers a tenant with fresh callback credentials. The integration starts disabled.
#[tracing::instrument(skip_all, fields(app_key = %new.app_key))]
pub async fn create(
    executor: impl PgExecutor<'_>,
    cipher: &Cipher,
    new: NewTenant,
) -> Result<Tenant, CreateTenantError> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(CreateTenantError::EmptyName);
    }
    let api_key = new.moengage_api_key.trim();
    if api_key.is_empty() {
        return Err(CreateTenantError::EmptyApiKey);
    }
    let slot = |field| SecretSlot {
        app_key: new.app_key.as_str(),
        field,
    };
    let api_key_encrypted = cipher.seal(&slot(MOENGAGE_API_KEY), api_key)?;
    let last4 = last4(api_key);
    let username = format!("sinch-{}", random_token(8)?.to_lowercase());
    let password_encrypted = cipher.seal(&slot(CALLBACK_PASSWORD), &random_token(32)?)?;
    let row = sqlx::query_as!(
        TenantRow,
        r#"
        INSERT INTO tenants (app_key, name, data_center, moengage_api_key_encrypted,
                             moengage_api_key_last4, callback_username, callback_password_encrypted,
                             demo)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        RETURNING id, app_key, name, data_center, moengage_api_key_last4, integration_enabled,
                  integration_changed_by, integration_changed_at, callback_username,
                  callback_password_encrypted, hmac_secret_encrypted, created_at, demo
        "#,
        new.app_key.as_str(),
        name,
        i16::from(new.data_center.number()),
        api_key_encrypted,
        last4,
        username,
        password_encrypted,
        new.demo,
    )
    .fetch_one(executor)
    .await
    .map_err(|error| match &error {
        sqlx::Error::Database(db) if db.constraint() == Some("tenants_app_key_key") => {
            CreateTenantError::Conflict(new.app_key.clone())
        }
        _ => CreateTenantError::Database(error),
    })?;
    row.try_into().map_err(CreateTenantError::Database)
}

#[tracing::instrument(skip_all, fields(%app_key))]
pub async fn find(
    executor: impl PgExecutor<'_>,
    app_key: &AppKey,
) -> Result<Option<Tenant>, sqlx::Error> {
    let row = sqlx::query_as!(
        TenantRow,
        r#"
        SELECT id, app_key, name, data_center, moengage_api_key_last4, integration_enabled,
               integration_changed_by, integration_changed_at, callback_username,
               callback_password_encrypted, hmac_secret_encrypted, created_at, demo
        FROM tenants WHERE app_key = $1 AND deleted_at IS NULL
        "#,
        app_key.as_str(),
    )
    .fetch_optional(executor)
    .await?;
    row.map(Tenant::try_from).transpose()
}

/// Locks the tenant's row until the transaction ends; false when there is no such
/// tenant. A change locks first and reads its "before" after, so that two changes at once
/// are recorded one after the other.
#[tracing::instrument(skip_all, fields(%app_key))]
pub async fn lock(executor: impl PgExecutor<'_>, app_key: &AppKey) -> Result<bool, sqlx::Error> {
    let locked = sqlx::query_scalar!(
        "SELECT id FROM tenants WHERE app_key = $1 AND deleted_at IS NULL FOR UPDATE",
        app_key.as_str(),
    )
    .fetch_optional(executor)
    .await?;
    Ok(locked.is_some())
}

pub async fn list(pool: &PgPool) -> Result<Vec<Tenant>, sqlx::Error> {
    sqlx::query_as!(
        TenantRow,
        r#"
        SELECT id, app_key, name, data_center, moengage_api_key_last4, integration_enabled,
               integration_changed_by, integration_changed_at, callback_username,
               callback_password_encrypted, hmac_secret_encrypted, created_at, demo
        FROM tenants WHERE deleted_at IS NULL ORDER BY name, app_key
        "#,
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(Tenant::try_from)
    .collect()
}

/// Enables or disables the Sinch integration, recording who did it and when.
#[tracing::instrument(skip_all, fields(%app_key, enabled))]
pub async fn set_integration(
    connection: impl sqlx::Acquire<'_, Database = Postgres>,
    app_key: &AppKey,
    enabled: bool,
    changed_by: &str,
) -> Result<Tenant, TenantError> {
    // Within a caller's transaction this is a savepoint.
    let mut tx = connection.begin().await?;
    let row = sqlx::query_as!(
        TenantRow,
        r#"
        UPDATE tenants
        SET integration_enabled = $2, integration_changed_by = $3, integration_changed_at = now()
        WHERE app_key = $1 AND deleted_at IS NULL
        RETURNING id, app_key, name, data_center, moengage_api_key_last4, integration_enabled,
                  integration_changed_by, integration_changed_at, callback_username,
                  callback_password_encrypted, hmac_secret_encrypted, created_at, demo
        "#,
        app_key.as_str(),
        enabled,
        changed_by,
    )
    .fetch_optional(&mut *tx)
    .await?;
    if enabled {
        // The count of calls refused while disabled starts again from zero, so that
        // "Sinch is calling" always means calls since the integration was last on.
        sqlx::query!(
            "DELETE FROM refused_calls WHERE app_key = $1 AND reason = 'disabled'",
            app_key.as_str()
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    updated(row, app_key)
}

/// Deletes a tenant softly: it leaves every list, its callbacks answer 404 and its events
/// stop being forwarded, but its rows stay until retention removes them. The integration
/// is switched off too, so nothing changes should the row ever be restored by hand.
#[tracing::instrument(skip_all, fields(%app_key))]
pub async fn delete(
    executor: impl PgExecutor<'_>,
    app_key: &AppKey,
    deleted_by: &str,
) -> Result<(), TenantError> {
    let deleted = sqlx::query!(
        r#"
        UPDATE tenants
        SET deleted_at = now(), deleted_by = $2, integration_enabled = false,
            integration_changed_by = $2, integration_changed_at = now()
        WHERE app_key = $1 AND deleted_at IS NULL
        "#,
        app_key.as_str(),
        deleted_by,
    )
    .execute(executor)
    .await?
    .rows_affected();
    if deleted == 0 {
        return Err(TenantError::NotFound(app_key.clone()));
    }
    Ok(())
}

/// Replaces the callback password; Sinch must be given the new callback URL.
#[tracing::instrument(skip_all, fields(%app_key))]
pub async fn rotate_callback_password(
    executor: impl PgExecutor<'_>,
    cipher: &Cipher,
    app_key: &AppKey,
) -> Result<Tenant, TenantError> {
    let slot = SecretSlot {
        app_key: app_key.as_str(),
        field: CALLBACK_PASSWORD,
    };
    let encrypted = cipher.seal(&slot, &random_token(32)?)?;
    let row = sqlx::query_as!(
        TenantRow,
        r#"
        UPDATE tenants SET callback_password_encrypted = $2
        WHERE app_key = $1 AND deleted_at IS NULL
        RETURNING id, app_key, name, data_center, moengage_api_key_last4, integration_enabled,
                  integration_changed_by, integration_changed_at, callback_username,
                  callback_password_encrypted, hmac_secret_encrypted, created_at, demo
        "#,
        app_key.as_str(),
        encrypted,
    )
    .fetch_optional(executor)
    .await?;
    updated(row, app_key)
}

/// Sets (or with None removes) the secret Sinch signs callbacks with.
#[tracing::instrument(skip_all, fields(%app_key, on = secret.is_some()))]
pub async fn set_hmac_secret(
    executor: impl PgExecutor<'_>,
    cipher: &Cipher,
    app_key: &AppKey,
    secret: Option<&str>,
) -> Result<Tenant, TenantError> {
    let slot = SecretSlot {
        app_key: app_key.as_str(),
        field: HMAC_SECRET,
    };
    let encrypted = secret
        .map(|secret| cipher.seal(&slot, secret))
        .transpose()?;
    let row = sqlx::query_as!(
        TenantRow,
        r#"
        UPDATE tenants SET hmac_secret_encrypted = $2
        WHERE app_key = $1 AND deleted_at IS NULL
        RETURNING id, app_key, name, data_center, moengage_api_key_last4, integration_enabled,
                  integration_changed_by, integration_changed_at, callback_username,
                  callback_password_encrypted, hmac_secret_encrypted, created_at, demo
        "#,
        app_key.as_str(),
        encrypted,
    )
    .fetch_optional(executor)
    .await?;
    updated(row, app_key)
}

/// The only characters of a Data API key ever shown again.
fn last4(api_key: &str) -> String {
    let chars: Vec<char> = api_key.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// Replaces the MoEngage Data API key and resumes forwarding if a 401 had paused it.
#[tracing::instrument(skip_all, fields(%app_key))]
pub async fn set_moengage_api_key(
    executor: impl PgExecutor<'_>,
    cipher: &Cipher,
    app_key: &AppKey,
    api_key: &str,
) -> Result<Tenant, TenantError> {
    let api_key = api_key.trim();
    if api_key.is_empty() {
        return Err(TenantError::EmptyApiKey);
    }
    let slot = SecretSlot {
        app_key: app_key.as_str(),
        field: MOENGAGE_API_KEY,
    };
    let encrypted = cipher.seal(&slot, api_key)?;
    let row = sqlx::query_as!(
        TenantRow,
        r#"
        UPDATE tenants
        SET moengage_api_key_encrypted = $2, moengage_api_key_last4 = $3,
            forwarding_paused_at = NULL, forwarding_paused_reason = NULL
        WHERE app_key = $1 AND deleted_at IS NULL
        RETURNING id, app_key, name, data_center, moengage_api_key_last4, integration_enabled,
                  integration_changed_by, integration_changed_at, callback_username,
                  callback_password_encrypted, hmac_secret_encrypted, created_at, demo
        "#,
        app_key.as_str(),
        encrypted,
        last4(api_key),
    )
    .fetch_optional(executor)
    .await?;
    updated(row, app_key)
}

/// The tenant an UPDATE ... RETURNING touched, or NotFound when no row matched.
fn updated(row: Option<TenantRow>, app_key: &AppKey) -> Result<Tenant, TenantError> {
    row.ok_or_else(|| TenantError::NotFound(app_key.clone()))?
        .try_into()
        .map_err(TenantError::Database)
}

struct TenantRow {
    id: i64,
    app_key: String,
    name: String,
    data_center: i16,
    moengage_api_key_last4: String,
    integration_enabled: bool,
    integration_changed_by: Option<String>,
    integration_changed_at: Option<DateTime<Utc>>,
    callback_username: String,
    callback_password_encrypted: Vec<u8>,
    hmac_secret_encrypted: Option<Vec<u8>>,
    created_at: DateTime<Utc>,
    demo: bool,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = sqlx::Error;

    /// The table's CHECK constraints make these conversions hold; a row that breaks them
    /// is reported as a decoding error rather than trusted.
    fn try_from(row: TenantRow) -> Result<Self, Self::Error> {
        let decode = |error: &dyn std::fmt::Display| sqlx::Error::Decode(error.to_string().into());
        Ok(Self {
            id: TenantId(row.id),
            app_key: AppKey::parse(&row.app_key).map_err(|e| decode(&e))?,
            name: row.name,
            data_center: DataCenter::from_number(row.data_center).map_err(|e| decode(&e))?,
            moengage_api_key_last4: row.moengage_api_key_last4,
            integration_enabled: row.integration_enabled,
            integration_changed_by: row.integration_changed_by,
            integration_changed_at: row.integration_changed_at,
            callback_username: row.callback_username,
            callback_password_encrypted: row.callback_password_encrypted,
            has_hmac_secret: row.hmac_secret_encrypted.is_some(),
            hmac_secret_encrypted: row.hmac_secret_encrypted,
            created_at: row.created_at,
            demo: row.demo,
        })
    }
}
