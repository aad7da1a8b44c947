use super::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatus {
    pub version: String,
    pub database: DatabaseState,
    /// When the server checked, in UTC: RFC 3339 for machines, and for people.
    pub checked_at: String,
    pub checked_at_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DatabaseState {
    Ready { schema_version: i64 },
    MigrationsPending { pending: Vec<i64> },
    Unreachable { reason: String },
}

/// The same checks as `GET /readyz`, for people rather than load balancers.
#[server(endpoint = "service_status")]
pub async fn get_service_status() -> Result<ServiceStatus, ApiError> {
    let principal = super::access::signed_in()?;
    let pool = super::access::pool()?;
    let database = match store::schema_status(&pool).await {
        Ok(status) if status.is_current() => DatabaseState::Ready {
            schema_version: status.expected_version,
        },
        Ok(status) => DatabaseState::MigrationsPending {
            pending: status.pending,
        },
        Err(error) => {
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                "service status check failed"
            );
            // What went wrong is for operators; a viewer learns only that it did.
            let reason = if principal.may(domain::access::Action::ViewMetrics) {
                error.to_string()
            } else {
                "the database cannot be reached; the server's logs say why".to_owned()
            };
            DatabaseState::Unreachable { reason }
        }
    };
    let now = chrono::Utc::now();
    Ok(ServiceStatus {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database,
        checked_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        checked_at_text: domain::shown_time::to_second(now),
    })
}
