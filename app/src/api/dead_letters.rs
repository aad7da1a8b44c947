//! Dead letters, grouped by tenant and reason, and what people do with them: replay (with
//! the replay's progress) or discard with a reason.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::activity::Moment;
use super::error::ApiError;
use super::events::EventSummary;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetterGroup {
    pub app_key: String,
    pub tenant_name: String,
    /// Why they died: MoEngage's answer or the error of the last attempt.
    pub reason: String,
    pub count: i64,
    pub oldest: Moment,
    pub newest: Moment,
    /// The newest one's id, for its page.
    pub example: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetters {
    pub groups: Vec<DeadLetterGroup>,
    /// Whether the user may replay and discard.
    pub may_act: bool,
}

/// The dead letters of the user's tenants, the largest groups first.
#[server(endpoint = "dead_letter_groups")]
pub async fn dead_letter_groups() -> Result<DeadLetters, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, pool};
    use super::activity::moment;
    use super::tenants::visible_ids;

    let principal = allowed(Action::ViewEvents)?;
    let pool = pool()?;
    let scope = visible_ids(&principal, &pool).await?;
    let now = chrono::Utc::now();
    let groups = store::forwarding::groups(&pool, &scope)
        .await?
        .into_iter()
        .map(|group| DeadLetterGroup {
            app_key: group.app_key,
            tenant_name: group.tenant_name,
            reason: group.reason,
            count: group.count,
            oldest: moment(group.oldest, now),
            newest: moment(group.newest, now),
            example: group.example,
        })
        .collect();
    Ok(DeadLetters {
        groups,
        may_act: principal.may(Action::Replay),
    })
}

/// The newest dead letters of one group (at most 100), to choose from.
#[server(endpoint = "dead_letters_in_group")]
pub async fn dead_letters_in_group(
    app_key: String,
    reason: String,
) -> Result<Vec<EventSummary>, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, pool};
    use super::tenants::visible;

    let principal = allowed(Action::ViewEvents)?;
    let tenant = visible(&principal, &app_key).await?;
    let full_numbers = principal.may(Action::ViewFullPhoneNumbers);
    let now = chrono::Utc::now();
    Ok(
        store::forwarding::in_group(&pool()?, tenant.id, &reason, 100)
            .await?
            .into_iter()
            .map(|row| super::events::summary(&tenant, row, full_numbers, now))
            .collect(),
    )
}

/// A replay under way: how many it queued and the mark to follow it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayStarted {
    pub app_key: String,
    pub queued: u64,
    pub mark: String,
}

/// Replays dead letters of `app_key`: the `ids` given (comma-separated), or else all of
/// them that died of `reason` (all of the tenant's when `reason` is empty).
#[server(endpoint = "replay_dead_letters")]
pub async fn replay_dead_letters(
    app_key: String,
    reason: String,
    ids: String,
) -> Result<ReplayStarted, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, pool};
    use super::tenants::visible;

    let principal = allowed(Action::Replay)?;
    let tenant = visible(&principal, &app_key).await?;
    let selection = selection(tenant.id, &reason, &ids)?;
    let by = auth::users::ChangedBy::from(&principal);
    let replay = auth::tenants::replay(&pool()?, &by, &tenant, &selection).await?;
    Ok(ReplayStarted {
        app_key: tenant.app_key.to_string(),
        queued: replay.queued,
        mark: replay.mark.to_rfc3339(),
    })
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayCounts {
    pub waiting: i64,
    pub forwarded: i64,
    pub failed: i64,
}

/// Where the events of a replay stand.
#[server(endpoint = "replay_progress")]
pub async fn replay_progress(app_key: String, mark: String) -> Result<ReplayCounts, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, pool};
    use super::tenants::visible;

    let principal = allowed(Action::ViewEvents)?;
    let tenant = visible(&principal, &app_key).await?;
    let mark = chrono::DateTime::parse_from_rfc3339(&mark)
        .map_err(|_| ApiError::invalid("form", "the replay's mark is not a time"))?
        .with_timezone(&chrono::Utc);
    let progress = store::forwarding::replay_progress(&pool()?, tenant.id, mark).await?;
    Ok(ReplayCounts {
        waiting: progress.waiting,
        forwarded: progress.forwarded,
        failed: progress.failed,
    })
}

/// Discards dead letters of `app_key` (chosen as for a replay) for the `note` given;
/// returns how many.
#[server(endpoint = "discard_dead_letters")]
pub async fn discard_dead_letters(
    app_key: String,
    reason: String,
    ids: String,
    note: String,
) -> Result<u64, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, pool};
    use super::tenants::visible;

    let principal = allowed(Action::Replay)?;
    let tenant = visible(&principal, &app_key).await?;
    let selection = selection(tenant.id, &reason, &ids)?;
    let by = auth::users::ChangedBy::from(&principal);
    let discarded = auth::tenants::discard(&pool()?, &by, &tenant, &selection, &note).await?;
    Ok(discarded)
}

#[cfg(feature = "ssr")]
fn selection(
    tenant: store::tenants::TenantId,
    reason: &str,
    ids: &str,
) -> Result<store::forwarding::ReplaySelection, ApiError> {
    use store::forwarding::ReplaySelection;
    let ids: Vec<i64> = ids
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| id.parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| ApiError::invalid("form", "the chosen events are not event ids"))?;
    Ok(if ids.is_empty() {
        ReplaySelection::Dead {
            tenant,
            reason: Some(reason.to_owned()).filter(|r| !r.is_empty()),
            from: None,
            to: None,
        }
    } else {
        ReplaySelection::Events { tenant, ids }
    })
}
