//! The MoEngage events as the console lists them. Phone numbers are masked for people
//! whose role does not let them see full numbers.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::activity::Moment;
use super::error::ApiError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSummary {
    /// The tenant's workspace id.
    pub app_key: String,
    /// The tenant's name, as people know it.
    pub tenant_name: String,
    pub id: i64,
    pub at: Moment,
    pub kind: domain::EventKind,
    pub uid: String,
    /// Empty for a batch summary's aggregate (it has no single recipient).
    pub phone: String,
    pub category: Option<String>,
    pub batch_id: String,
    pub sinch_status: String,
    pub sinch_code: i32,
    pub forward_state: domain::ForwardState,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// A tenant's newest events (50).
#[server(endpoint = "tenant_events")]
pub async fn tenant_events(app_key: String) -> Result<Vec<EventSummary>, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, pool};
    use super::tenants::visible;

    let principal = allowed(Action::ViewEvents)?;
    let tenant = visible(&principal, &app_key).await?;
    let full_numbers = principal.may(Action::ViewFullPhoneNumbers);
    let rows = store::events::latest(&pool()?, tenant.id, 50).await?;
    let now = chrono::Utc::now();
    Ok(rows
        .into_iter()
        .map(|row| summary(&tenant, row, full_numbers, now))
        .collect())
}

/// An event of `tenant` as the console shows it, its phone number masked unless
/// `full_numbers`.
#[cfg(feature = "ssr")]
pub(crate) fn summary(
    tenant: &store::tenants::Tenant,
    row: store::events::EventRow,
    full_numbers: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> EventSummary {
    EventSummary {
        app_key: tenant.app_key.to_string(),
        tenant_name: tenant.name.clone(),
        id: row.id,
        at: super::activity::moment(row.created_at, now),
        phone: shown_phone(&row.recipient, full_numbers),
        // The columns' CHECK constraints allow only these codes.
        kind: domain::EventKind::from_code(&row.kind).unwrap_or(domain::EventKind::Sent),
        uid: row.customer_id,
        category: row.category,
        batch_id: row.batch_id,
        sinch_status: row.sinch_status,
        sinch_code: row.sinch_code,
        forward_state: domain::ForwardState::from_code(&row.forward_state)
            .unwrap_or(domain::ForwardState::Pending),
        attempts: row.attempts,
        last_error: row.last_error,
    }
}

/// The tenant a found event belongs to, among those the user sees (a query scoped to
/// them finds no other).
#[cfg(feature = "ssr")]
pub(crate) fn of<'a>(
    visible: &'a [store::tenants::Tenant],
    app_key: &str,
) -> Option<&'a store::tenants::Tenant> {
    visible
        .iter()
        .find(|tenant| tenant.app_key.as_str() == app_key)
}

#[cfg(feature = "ssr")]
pub fn shown_phone(recipient: &str, full: bool) -> String {
    match domain::Msisdn::parse(recipient) {
        Ok(number) if full => number.to_string(),
        Ok(number) => number.masked(),
        // Stored numbers are normalised; anything else (a summary's '') shows as is.
        Err(_) => String::new(),
    }
}

/// The explorer's filters, as they appear in the page's URL (empty = any).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventQuery {
    /// A workspace id.
    pub tenant: String,
    /// `sent`, `delivered` or `delivery_failed`.
    pub event: String,
    /// A Sinch status, e.g. `Delivered`.
    pub status: String,
    /// A Sinch code, e.g. `0` or `401`.
    pub code: String,
    pub uid: String,
    pub phone: String,
    pub category: String,
    pub batch: String,
    /// `pending`, `retrying`, `forwarded`, `dead` or `suppressed`.
    pub state: String,
    /// Times in UTC, `2026-11-28T10:00` (as a datetime-local field sends them) or RFC 3339.
    pub from: String,
    pub to: String,
    /// The page's cursor (`<rfc3339>~<id>`).
    pub before: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventList {
    pub rows: Vec<EventSummary>,
    /// The cursor of the next (older) page, when there is one.
    pub older: Option<String>,
    /// Filters that could not be read, each with what is wrong; nothing is listed then.
    pub problems: Vec<String>,
}

pub const EVENTS_PAGE_SIZE: usize = 50;

/// Events across the user's tenants, filtered, newest first, a keyset page at a time.
#[server(endpoint = "list_events")]
pub async fn list_events(query: EventQuery) -> Result<EventList, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, pool, read_pool};
    use super::paging::{cursor_text, parse_cursor};

    let principal = allowed(Action::ViewEvents)?;
    let pool = pool()?;
    let visible = principal.tenants(&pool).await?;
    let full_numbers = principal.may(Action::ViewFullPhoneNumbers);
    let (filter, scope, problems) = read_query(&query, &visible, full_numbers);
    let before = parse_cursor(&query.before)?
        .map(|(created_at, id)| store::events::Cursor { created_at, id });
    if !problems.is_empty() {
        return Ok(EventList {
            rows: Vec::new(),
            older: None,
            problems,
        });
    }
    let limit = i64::try_from(EVENTS_PAGE_SIZE + 1).unwrap_or(51);
    let mut found = store::events::search(&*read_pool()?, &scope, &filter, before, limit).await?;
    let older = (found.len() > EVENTS_PAGE_SIZE).then(|| {
        found.truncate(EVENTS_PAGE_SIZE);
        found
            .last()
            .map(|last| cursor_text(last.event.created_at, last.event.id))
    });
    let now = chrono::Utc::now();
    Ok(EventList {
        rows: found
            .into_iter()
            .filter_map(|found| {
                let tenant = of(&visible, &found.app_key)?;
                Some(summary(tenant, found.event, full_numbers, now))
            })
            .collect(),
        older: older.flatten(),
        problems,
    })
}

/// Why a phone filter is refused to a role that sees numbers masked.
pub const PHONE_LOOKUP_WITHHELD: &str =
    "phone: your role sees phone numbers masked, so it cannot look one up; filter by uid or batch id instead";

/// The filter, the tenants to search and what could not be read. An unknown tenant reads
/// the same whether it does not exist or is outside the user's scope.
#[cfg(feature = "ssr")]
pub fn read_query(
    query: &EventQuery,
    visible: &[store::tenants::Tenant],
    full_numbers: bool,
) -> (
    store::events::EventFilter,
    Vec<store::tenants::TenantId>,
    Vec<String>,
) {
    let mut problems = Vec::new();
    let text = |raw: &str| Some(raw.trim().to_owned()).filter(|v| !v.is_empty());
    let one_of = |raw: &str, allowed: &[&str], what: &str, problems: &mut Vec<String>| {
        let value = text(raw)?;
        if allowed.contains(&value.as_str()) {
            Some(value)
        } else {
            problems.push(format!(
                "{what}: `{value}` is not one of {}",
                allowed.join(", ")
            ));
            None
        }
    };
    let scope = match text(&query.tenant) {
        None => visible.iter().map(|t| t.id).collect(),
        Some(key) => match visible.iter().find(|t| t.app_key.as_str() == key) {
            Some(tenant) => vec![tenant.id],
            None => {
                problems.push(format!("tenant: no tenant has the workspace id `{key}`"));
                Vec::new()
            }
        },
    };
    let kinds = domain::EventKind::ALL.map(domain::EventKind::code);
    let kind = one_of(&query.event, &kinds, "event", &mut problems);
    let states = domain::ForwardState::ALL.map(domain::ForwardState::code);
    let forward_state = one_of(&query.state, &states, "forwarding", &mut problems);
    let sinch_code = text(&query.code).and_then(|raw| {
        raw.parse::<i32>()
            .map_err(|_| problems.push(format!("code: `{raw}` is not a number")))
            .ok()
    });
    // Someone who sees numbers masked could otherwise confirm a full number by trying
    // candidates until one lists events.
    let recipient = text(&query.phone).and_then(|raw| {
        if !full_numbers {
            problems.push(PHONE_LOOKUP_WITHHELD.to_owned());
            return None;
        }
        domain::Msisdn::parse(&raw)
            .map(|number| number.as_str().to_owned())
            .map_err(|error| problems.push(format!("phone: {error}")))
            .ok()
    });
    let mut time = |raw: &str, what: &str| {
        let raw = text(raw)?;
        parse_time(&raw)
            .ok_or_else(|| {
                problems.push(format!(
                    "{what}: `{raw}` is not a time such as 2026-11-28T10:00"
                ))
            })
            .ok()
    };
    let from = time(&query.from, "from");
    let to = time(&query.to, "to");
    let filter = store::events::EventFilter {
        kind,
        sinch_status: text(&query.status),
        sinch_code,
        customer_id: text(&query.uid),
        recipient,
        category: text(&query.category),
        batch_id: text(&query.batch),
        forward_state,
        from,
        to,
    };
    (filter, scope, problems)
}

/// A time in UTC as a datetime-local field sends it, or RFC 3339.
#[cfg(feature = "ssr")]
fn parse_time(raw: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{DateTime, NaiveDateTime, Utc};
    DateTime::parse_from_rfc3339(raw)
        .map(|at| at.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
                .iter()
                .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())
                .map(|naive| naive.and_utc())
        })
}
