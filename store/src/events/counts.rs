//! How many events each filter value would find, for the explorer's filter bar: from the
//! hourly roll-up (event kinds, categories, tenants) and the index of unfinished events
//! (forwarding states), never by counting the events themselves.

use chrono::{DateTime, Utc};
use domain::ForwardState;
use sqlx::PgPool;

use crate::tenants::TenantId;

/// One tenant's and category's events over a period, by kind.
#[derive(Debug, Clone)]
pub struct OutcomeCount {
    pub app_key: String,
    pub category: String,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
}

/// Per tenant and category, the hours in [from, to) (to: now when None).
pub async fn outcomes(
    pool: &PgPool,
    scope: &[TenantId],
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<OutcomeCount>, sqlx::Error> {
    let scope: Vec<i64> = scope.iter().map(|id| id.0).collect();
    sqlx::query_as!(
        OutcomeCount,
        r#"
        SELECT t.app_key, o.category, sum(o.sent)::bigint AS "sent!",
               sum(o.delivered)::bigint AS "delivered!", sum(o.failed)::bigint AS "failed!"
        FROM hourly_outcomes o JOIN tenants t ON t.id = o.tenant_id
        WHERE o.tenant_id = ANY($1) AND o.hour >= date_trunc('hour', $2::timestamptz, 'UTC')
          AND ($3::timestamptz IS NULL OR o.hour < $3)
        GROUP BY t.app_key, o.category
        "#,
        &scope,
        from,
        to,
    )
    .fetch_all(pool)
    .await
}

/// Unfinished forwarding states are counted up to this many; more reads "10,000+".
pub const STATE_COUNT_CAP: i64 = 10_000;

/// Events per unfinished forwarding state (pending, retrying, dead, discarded) created in
/// [from, to), each counted up to [`STATE_COUNT_CAP`] + 1 (so that a large backlog or pile
/// of dead letters costs a bounded index walk); forwarded ones are the rest.
pub async fn unfinished(
    pool: &PgPool,
    scope: &[TenantId],
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let scope: Vec<i64> = scope.iter().map(|id| id.0).collect();
    // One subquery per state, each naming its state: the partial index of unfinished
    // events applies only when the planner sees the state is not 'forwarded'.
    let row = sqlx::query!(
        r#"
        SELECT
            (SELECT count(*) FROM (
                SELECT 1 FROM events WHERE tenant_id = ANY($1) AND forward_state = 'pending'
                  AND created_at >= $2 AND ($3::timestamptz IS NULL OR created_at < $3) LIMIT $4
            ) c) AS "pending!",
            (SELECT count(*) FROM (
                SELECT 1 FROM events WHERE tenant_id = ANY($1) AND forward_state = 'retrying'
                  AND created_at >= $2 AND ($3::timestamptz IS NULL OR created_at < $3) LIMIT $4
            ) c) AS "retrying!",
            (SELECT count(*) FROM (
                SELECT 1 FROM events WHERE tenant_id = ANY($1) AND forward_state = 'dead'
                  AND created_at >= $2 AND ($3::timestamptz IS NULL OR created_at < $3) LIMIT $4
            ) c) AS "dead!",
            (SELECT count(*) FROM (
                SELECT 1 FROM events WHERE tenant_id = ANY($1) AND forward_state = 'discarded'
                  AND created_at >= $2 AND ($3::timestamptz IS NULL OR created_at < $3) LIMIT $4
            ) c) AS "discarded!"
        "#,
        &scope,
        from,
        to,
        STATE_COUNT_CAP + 1,
    )
    .fetch_one(pool)
    .await?;
    Ok([
        (ForwardState::Pending, row.pending),
        (ForwardState::Retrying, row.retrying),
        (ForwardState::Dead, row.dead),
        (ForwardState::Discarded, row.discarded),
    ]
    .into_iter()
    .filter(|(_, count)| *count > 0)
    .map(|(state, count)| (state.code().to_owned(), count))
    .collect())
}
