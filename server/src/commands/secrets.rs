//! `dlrhub reseal-secrets`: the last step of a master key rotation.

use anyhow::Context;

use crate::configuration::Settings;

pub async fn reseal() -> anyhow::Result<()> {
    let settings = Settings::from_env().context("configuration error")?;
    let pool = settings.database.pool();
    store::migrate(&pool).await?;
    let resealed = store::secrets::reseal_all(&pool, &settings.cipher()).await?;
    println!(
        "{} secret(s) of {} workspace(s) moved to the current master key; every secret now \
         opens with DLRHUB_MASTER_KEY alone.",
        resealed.secrets, resealed.tenants
    );
    Ok(())
}
