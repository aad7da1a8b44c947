//! Records an export's progress (`store::exports`) for the page that started it. Progress
//! is a courtesy: failing to record it is logged and never stops the file.

use auth::Principal;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use store::events::EventFilter;
use store::tenants::TenantId;
use store::users::UserId;

pub struct Tracker {
    pool: PgPool,
    user: UserId,
    id: String,
}

pub enum StartError {
    BadId,
    Database(sqlx::Error),
}

impl Tracker {
    /// None when the user already used this id: that export goes untracked.
    pub async fn start(
        pool: &PgPool,
        principal: &Principal,
        id: String,
        filter: &EventFilter,
        scope: &[TenantId],
    ) -> Result<Option<Self>, StartError> {
        let well_formed = (8..=64).contains(&id.len())
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !well_formed {
            return Err(StartError::BadId);
        }
        let now = Utc::now();
        let period_to = filter.to.map_or(now, |to| to.min(now));
        let period_from = match filter.from {
            Some(from) => from,
            None => store::exports::oldest_event(pool, scope)
                .await
                .map_err(StartError::Database)?
                .unwrap_or(period_to),
        };
        let started = store::exports::start(pool, principal.id, &id, period_from, period_to)
            .await
            .map_err(StartError::Database)?;
        Ok(started.then(|| Self {
            pool: pool.clone(),
            user: principal.id,
            id,
        }))
    }

    pub async fn advance(&self, rows: usize, reached: DateTime<Utc>) {
        let rows = i64::try_from(rows).unwrap_or(i64::MAX);
        let recorded =
            store::exports::advance(&self.pool, self.user, &self.id, rows, reached).await;
        log_failure(recorded);
    }

    pub async fn finish(self, failure: Option<&str>) {
        log_failure(store::exports::finish(&self.pool, self.user, &self.id, failure).await);
    }
}

fn log_failure(recorded: Result<(), sqlx::Error>) {
    if let Err(error) = recorded {
        tracing::warn!(
            error = &error as &dyn std::error::Error,
            "could not record an export's progress"
        );
    }
}
