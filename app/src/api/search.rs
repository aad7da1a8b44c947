//! The top bar's search: one text looked up as a uid, a phone number and a batch id at
//! once, across the user's tenants. Each reading is one of the explorer's indexed
//! filters, so the search costs three explorer pages.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::events::EventSummary;

/// Events shown per reading; the rest are one click away in the explorer.
pub const SEARCH_SHOWN: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The text as searched (trimmed).
    pub text: String,
    /// The readings that found something: uid, then phone number, then batch id.
    pub matches: Vec<SearchMatch>,
    /// The text reads as a phone number the caller's role may not look up (it sees
    /// numbers masked), so it was searched as a uid and a batch id only.
    pub phone_withheld: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchMatch {
    /// `uid`, `phone` or `batch`: the explorer's filter that finds these.
    pub field: String,
    /// The filter's value (a phone number as stored: `+447700900123`).
    pub value: String,
    /// The newest, at most [`SEARCH_SHOWN`].
    pub rows: Vec<EventSummary>,
    /// Whether there are more than those.
    pub more: bool,
}

#[server(endpoint = "global_search")]
pub async fn global_search(text: String) -> Result<SearchResults, ApiError> {
    use domain::access::Action;
    use store::events::EventFilter;

    use super::access::{allowed, pool, read_pool};
    use super::events::{of, summary};

    let principal = allowed(Action::ViewEvents)?;
    let text = text.trim().to_owned();
    // Longer texts are no uid (nor phone number, nor batch id).
    let longest = domain::CustomerId::MAX_LEN;
    if text.chars().count() > longest {
        return Err(ApiError::invalid(
            "form",
            format!(
                "a search is a uid, a phone number or a batch id: at most {longest} characters"
            ),
        ));
    }
    if text.is_empty() {
        return Ok(SearchResults {
            text,
            matches: Vec::new(),
            phone_withheld: false,
        });
    }
    let pool = pool()?;
    let visible = principal.tenants(&pool).await?;
    let scope: Vec<_> = visible.iter().map(|tenant| tenant.id).collect();
    let full_numbers = principal.may(Action::ViewFullPhoneNumbers);
    // Someone who sees numbers masked could otherwise confirm a full number by trying
    // candidates until one finds events.
    let number = domain::Msisdn::parse(&text).ok();
    let phone_withheld = number.is_some() && !full_numbers;
    let phone = number
        .filter(|_| full_numbers)
        .map(|number| number.as_str().to_owned());
    let readings = [
        ("uid", Some(text.clone())),
        ("phone", phone),
        ("batch", Some(text.clone())),
    ];
    let now = chrono::Utc::now();
    let limit = i64::try_from(SEARCH_SHOWN + 1).unwrap_or(6);
    let mut matches = Vec::new();
    for (field, value) in readings {
        let Some(value) = value else { continue };
        let mut filter = EventFilter::default();
        let slot = match field {
            "uid" => &mut filter.customer_id,
            "phone" => &mut filter.recipient,
            _ => &mut filter.batch_id,
        };
        *slot = Some(value.clone());
        let mut found = store::events::search(&*read_pool()?, &scope, &filter, None, limit).await?;
        if found.is_empty() {
            continue;
        }
        let more = found.len() > SEARCH_SHOWN;
        found.truncate(SEARCH_SHOWN);
        matches.push(SearchMatch {
            field: field.to_owned(),
            value,
            rows: found
                .into_iter()
                .filter_map(|found| {
                    let tenant = of(&visible, &found.app_key)?;
                    Some(summary(tenant, found.event, full_numbers, now))
                })
                .collect(),
            more,
        });
    }
    Ok(SearchResults {
        text,
        matches,
        phone_withheld,
    })
}
