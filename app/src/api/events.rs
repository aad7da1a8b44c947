//! The MoEngage events as the console lists them. Phone numbers are masked for people
//! whose role does not let them see full numbers.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::activity::Moment;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSummary {
    pub id: i64,
    pub at: Moment,
    /// `sent`, `delivered` or `delivery_failed`.
    pub kind: String,
    pub uid: String,
    /// Empty for a batch summary's aggregate (it has no single recipient).
    pub phone: String,
    pub category: Option<String>,
    pub batch_id: String,
    pub sinch_status: String,
    pub sinch_code: i32,
    /// `pending`, `retrying`, `forwarded`, `dead` or `suppressed`.
    pub forward_state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// A tenant's newest events (50).
#[server(endpoint = "tenant_events")]
pub async fn tenant_events(app_key: String) -> Result<Vec<EventSummary>, ServerFnError> {
    use domain::access::Action;

    use super::access::{allowed, internal, pool};
    use super::tenants::visible;

    let principal = allowed(Action::ViewEvents)?;
    let tenant = visible(&principal, &app_key).await?;
    let full_numbers = principal.may(Action::ViewFullPhoneNumbers);
    let rows = store::events::latest(&pool()?, tenant.id, 50)
        .await
        .map_err(internal)?;
    let now = chrono::Utc::now();
    Ok(rows
        .into_iter()
        .map(|row| EventSummary {
            id: row.id,
            at: super::activity::moment(row.created_at, now),
            phone: shown_phone(&row.recipient, full_numbers),
            kind: row.kind,
            uid: row.customer_id,
            category: row.category,
            batch_id: row.batch_id,
            sinch_status: row.sinch_status,
            sinch_code: row.sinch_code,
            forward_state: row.forward_state,
            attempts: row.attempts,
            last_error: row.last_error,
        })
        .collect())
}

#[cfg(feature = "ssr")]
fn shown_phone(recipient: &str, full: bool) -> String {
    match domain::Msisdn::parse(recipient) {
        Ok(number) if full => number.to_string(),
        Ok(number) => number.masked(),
        // Stored numbers are normalised; anything else (a summary's '') shows as is.
        Err(_) => String::new(),
    }
}
