use std::collections::HashSet;

use serde::Serialize;
use sqlx::migrate::Migrator;
use sqlx::PgPool;

/// The schema this build expects, embedded at compile time from `migrations/`.
static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("could not apply the database migrations")]
    Apply(#[from] sqlx::migrate::MigrateError),
    #[error("could not create the coming days of the tables kept by the day")]
    Days(#[source] sqlx::Error),
}

/// Applies the pending migrations and creates the coming days of the tables kept by the
/// day. Safe to run from several processes at once: sqlx holds an advisory lock while it
/// migrates, and the days are created under one too.
#[tracing::instrument(skip_all)]
pub async fn migrate(pool: &PgPool) -> Result<(), MigrateError> {
    MIGRATOR.run(pool).await?;
    crate::partitions::prepare_days(pool, chrono::Utc::now())
        .await
        .map_err(MigrateError::Days)?;
    Ok(())
}

/// Whether the database holds every migration this build knows of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaStatus {
    /// The newest migration this build expects.
    pub expected_version: i64,
    /// Migrations this build expects that the database has not applied successfully.
    pub pending: Vec<i64>,
}

impl SchemaStatus {
    pub fn is_current(&self) -> bool {
        self.pending.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SchemaStatusError {
    #[error("the database is unreachable")]
    Unreachable(#[source] sqlx::Error),
    #[error("the database has no migration table: run `dlrhub migrate`")]
    NeverMigrated,
}

/// Compares the migrations embedded in this build with those applied to the database.
#[tracing::instrument(skip_all)]
pub async fn schema_status(pool: &PgPool) -> Result<SchemaStatus, SchemaStatusError> {
    let applied = applied_versions(pool).await.map_err(|e| match &e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some(UNDEFINED_TABLE) => {
            SchemaStatusError::NeverMigrated
        }
        _ => SchemaStatusError::Unreachable(e),
    })?;
    Ok(compare(MIGRATOR.iter().map(|m| m.version), &applied))
}

/// Postgres SQLSTATE for "relation does not exist".
const UNDEFINED_TABLE: &str = "42P01";

async fn applied_versions(pool: &PgPool) -> Result<HashSet<i64>, sqlx::Error> {
    let rows = sqlx::query_scalar!(r#"SELECT version FROM _sqlx_migrations WHERE success"#)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().collect())
}

fn compare(expected: impl Iterator<Item = i64>, applied: &HashSet<i64>) -> SchemaStatus {
    let mut expected_version = 0;
    let mut pending = Vec::new();
    for version in expected {
        expected_version = expected_version.max(version);
        if !applied.contains(&version) {
            pending.push(version);
        }
    }
    SchemaStatus {
        expected_version,
        pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_with_every_migration_is_current() {
        let status = compare([1, 2].into_iter(), &HashSet::from([1, 2]));
        assert!(status.is_current());
        assert_eq!(status.expected_version, 2);
    }

    #[test]
    fn a_missing_migration_is_reported_as_pending() {
        let status = compare([1, 2, 3].into_iter(), &HashSet::from([1]));
        assert_eq!(status.pending, vec![2, 3]);
        assert!(!status.is_current());
    }

    #[test]
    fn migrations_the_build_does_not_know_do_not_make_it_stale() {
        // A newer process may have migrated further; this one still finds its own schema.
        let status = compare([1].into_iter(), &HashSet::from([1, 2]));
        assert!(status.is_current());
    }
}
