//! tower-sessions' store over the `sessions` table.
//!
//! Our own rather than tower-sessions-sqlx-store: that crate turns on sqlx's `time`
//! feature, and with both `time` and `chrono` on, sqlx's query macros type every
//! timestamp as `time`, which would change every query in the workspace. This one is the
//! same four statements, on a table our migrations own, with JSON data an operator can read.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use store::PgPool;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, ExpiredDeletion, Result, SessionStore};

#[derive(Debug, Clone)]
pub struct PgSessionStore {
    pool: PgPool,
}

impl PgSessionStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let (data, expires_at) = encode(record)?;
        // Ids are 128 random bits; a collision is near impossible, but never reuse one.
        while !store::sessions::create(&self.pool, &record.id.to_string(), &data, expires_at)
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let (data, expires_at) = encode(record)?;
        store::sessions::save(&self.pool, &record.id.to_string(), &data, expires_at)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some((data, expires_at)) = store::sessions::load(&self.pool, &id.to_string())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_value(data).map_err(|e| Error::Decode(e.to_string()))?;
        let nanos = expires_at
            .timestamp_nanos_opt()
            .ok_or_else(|| Error::Decode("expiry out of range".to_owned()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
            .map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        store::sessions::delete(&self.pool, &id.to_string())
            .await
            .map_err(backend)
    }
}

#[async_trait]
impl ExpiredDeletion for PgSessionStore {
    async fn delete_expired(&self) -> Result<()> {
        store::sessions::delete_expired(&self.pool)
            .await
            .map(drop)
            .map_err(backend)
    }
}

fn encode(record: &Record) -> Result<(serde_json::Value, DateTime<Utc>)> {
    let data = serde_json::to_value(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
    let nanos = i64::try_from(record.expiry_date.unix_timestamp_nanos())
        .map_err(|_| Error::Encode("expiry out of range".to_owned()))?;
    Ok((data, DateTime::from_timestamp_nanos(nanos)))
}

fn backend(error: sqlx::Error) -> Error {
    Error::Backend(error.to_string())
}
