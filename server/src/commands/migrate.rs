use anyhow::Context;

use crate::configuration::DatabaseSettings;
use crate::telemetry::{self, LogFormat};

pub async fn run() -> anyhow::Result<()> {
    let database = DatabaseSettings::from_env().context("configuration error")?;
    telemetry::init(LogFormat::from_env().context("configuration error")?);
    let pool = database.pool();
    store::migrate(&pool).await?;
    let status = store::schema_status(&pool)
        .await
        .context("checking the schema after migrating")?;
    tracing::info!(
        version = status.expected_version,
        "database schema is current"
    );
    Ok(())
}
