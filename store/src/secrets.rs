//! Moving every stored secret to the current master key, the last step of a key rotation.

use sqlx::PgPool;

use crate::cipher::{Cipher, CipherError, SecretSlot};
use crate::tenants::{CALLBACK_PASSWORD, HMAC_SECRET, MOENGAGE_API_KEY};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Resealed {
    pub tenants: u64,
    /// Secrets that were under a previous key and are now under the current one.
    pub secrets: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ResealError {
    #[error("a secret of workspace {app_key} opens with none of the keys given: {source}")]
    Cipher {
        app_key: String,
        #[source]
        source: CipherError,
    },
    #[error("could not read or update the tenants")]
    Database(#[from] sqlx::Error),
}

/// Re-encrypts every tenant's secrets under the cipher's current key, in one transaction:
/// if any secret cannot be opened, nothing changes. Running it again finds nothing to do.
pub async fn reseal_all(pool: &PgPool, cipher: &Cipher) -> Result<Resealed, ResealError> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query!(
        r#"
        SELECT id, app_key, moengage_api_key_encrypted, callback_password_encrypted,
               hmac_secret_encrypted
        FROM tenants ORDER BY id FOR UPDATE
        "#
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut resealed = Resealed::default();
    for row in rows {
        let reseal = |field: &'static str, blob: &[u8]| {
            let slot = SecretSlot {
                app_key: &row.app_key,
                field,
            };
            cipher
                .reseal(&slot, blob)
                .map_err(|source| ResealError::Cipher {
                    app_key: row.app_key.clone(),
                    source,
                })
        };
        let api_key = reseal(MOENGAGE_API_KEY, &row.moengage_api_key_encrypted)?;
        let password = reseal(CALLBACK_PASSWORD, &row.callback_password_encrypted)?;
        let hmac = match &row.hmac_secret_encrypted {
            Some(blob) => reseal(HMAC_SECRET, blob)?,
            None => None,
        };
        let changed = [&api_key, &password, &hmac]
            .iter()
            .filter(|blob| blob.is_some())
            .count() as u64;
        if changed == 0 {
            continue;
        }
        sqlx::query!(
            r#"
            UPDATE tenants
            SET moengage_api_key_encrypted = COALESCE($2, moengage_api_key_encrypted),
                callback_password_encrypted = COALESCE($3, callback_password_encrypted),
                hmac_secret_encrypted = COALESCE($4, hmac_secret_encrypted)
            WHERE id = $1
            "#,
            row.id,
            api_key,
            password,
            hmac,
        )
        .execute(&mut *tx)
        .await?;
        resealed.tenants += 1;
        resealed.secrets += changed;
    }
    tx.commit().await?;
    Ok(resealed)
}
