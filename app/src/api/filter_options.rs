//! What the explorer's filter bar offers: the tenants to choose from and how many events
//! each filter value finds. Read apart from the list, so that paging and the live tail
//! (which read the list again) leave the form as it is.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::events::EventQuery;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterOptions {
    /// The tenants the user may filter on: (workspace id, name).
    pub tenants: Vec<(String, String)>,
    pub counts: FilterCounts,
}

/// How many each filter value finds in the tenant and period chosen (the other filters
/// aside): messages by tenant, event and category from the hourly roll-up, events by
/// unfinished forwarding state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterCounts {
    /// What the counts cover, e.g. "the last 7 days".
    pub period: String,
    pub tenants: Vec<(String, i64)>,
    pub kinds: Vec<(String, i64)>,
    /// The busiest first.
    pub categories: Vec<(String, i64)>,
    pub states: Vec<(String, i64)>,
}

impl FilterCounts {
    /// The count of `value` among `of`, if it has one.
    pub fn of(of: &[(String, i64)], value: &str) -> Option<i64> {
        of.iter().find(|(v, _)| v == value).map(|(_, n)| *n)
    }
}

/// Unfinished forwarding states are counted up to this many (`store::events::counts`).
pub const STATE_COUNT_CAP: i64 = 10_000;
#[cfg(feature = "ssr")]
const _: () = assert!(STATE_COUNT_CAP == store::events::counts::STATE_COUNT_CAP);

/// The filter bar for these filters: only the tenant and period matter.
#[server(endpoint = "event_filter_options")]
pub async fn event_filter_options(query: EventQuery) -> Result<FilterOptions, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, pool, read_pool};
    use super::events::read_query;

    let principal = allowed(Action::ViewEvents)?;
    let pool = pool()?;
    let visible = principal.tenants(&pool).await?;
    let tenants = visible
        .iter()
        .map(|t| (t.app_key.to_string(), t.name.clone()))
        .collect();
    let full_numbers = principal.may(Action::ViewFullPhoneNumbers);
    let (filter, scope, problems) = read_query(&query, &visible, full_numbers);
    // The list says what is wrong with the filters; the bar then counts nothing.
    let counts = if problems.is_empty() {
        counts(&*read_pool()?, &scope, &filter).await?
    } else {
        FilterCounts::default()
    };
    Ok(FilterOptions { tenants, counts })
}

/// The filter bar's counts over the filter's period (the last 7 days when it has none).
#[cfg(feature = "ssr")]
async fn counts(
    pool: &store::PgPool,
    scope: &[store::tenants::TenantId],
    filter: &store::events::EventFilter,
) -> Result<FilterCounts, ApiError> {
    use store::events::counts;

    let (from, period) = match (filter.from, filter.to) {
        (Some(from), _) => (from, "the period chosen".to_owned()),
        (None, Some(_)) => (chrono::DateTime::UNIX_EPOCH, "the period chosen".to_owned()),
        (None, None) => (
            chrono::Utc::now() - chrono::Duration::days(7),
            "the last 7 days".to_owned(),
        ),
    };
    let outcomes = counts::outcomes(pool, scope, from, filter.to).await?;
    let states = counts::unfinished(pool, scope, from, filter.to).await?;
    let mut result = FilterCounts {
        period,
        states,
        ..FilterCounts::default()
    };
    let add = |list: &mut Vec<(String, i64)>, key: &str, n: i64| match list
        .iter_mut()
        .find(|(k, _)| k == key)
    {
        Some((_, total)) => *total += n,
        None => list.push((key.to_owned(), n)),
    };
    for row in &outcomes {
        let total = row.sent + row.delivered + row.failed;
        add(&mut result.tenants, &row.app_key, total);
        add(&mut result.categories, &row.category, total);
        add(&mut result.kinds, "sent", row.sent);
        add(&mut result.kinds, "delivered", row.delivered);
        add(&mut result.kinds, "delivery_failed", row.failed);
    }
    result
        .categories
        .retain(|(category, _)| !category.is_empty());
    result
        .categories
        .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    result.categories.truncate(20);
    Ok(result)
}
