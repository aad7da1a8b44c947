//! dlrhub's data layer.
//!
//! One crate owns the schema (`migrations/` at the workspace root) and every query, so the
//! server's HTTP routes and background workers and the app's server functions (which run
//! inside the same process) read and write Postgres the same way. Queries are checked at
//! compile time against the committed `.sqlx/` data.

pub mod activity;
pub mod audit;
pub mod cipher;
pub mod events;
pub mod exports;
pub mod forwarding;
pub mod ingest;
pub mod login_throttle;
pub mod moengage;
pub mod partitions;
mod pool;
pub mod raw_reports;
pub mod rejections;
pub mod retention;
mod schema;
pub mod secrets;
pub mod seed;
pub mod sessions;
pub mod tenant_cache;
pub mod tenants;
pub mod users;
pub mod webhook_records;

pub use cipher::Cipher;
pub use pool::{connect, PoolSettings, ReadPool};
pub use schema::{migrate, schema_status, MigrateError, SchemaStatus, SchemaStatusError};
pub use sqlx::{Error as DbError, PgPool};
pub use tenant_cache::TenantCache;
