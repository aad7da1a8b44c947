//! Events MoEngage did not take: grouped for the console, replayed (queued again with a
//! fresh retry schedule) or discarded with a reason.

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::{PgExecutor, PgPool};

use crate::tenants::TenantId;

/// Which events to replay or discard.
#[derive(Debug, Clone)]
pub enum ReplaySelection {
    /// One event, whatever its state (a forwarded or discarded event is sent again).
    Event { tenant: TenantId, id: i64 },
    /// Some of a tenant's dead letters (ids that are not dead letters are left alone).
    Events { tenant: TenantId, ids: Vec<i64> },
    /// A tenant's dead letters, optionally only those that died of `reason` or were
    /// created in [from, to).
    Dead {
        tenant: TenantId,
        reason: Option<String>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    },
}

/// The selection as one query's parameters.
struct Parameters {
    tenant: i64,
    ids: Option<Vec<i64>>,
    reason: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    /// Only `Event` reaches events that are not dead letters.
    dead_only: bool,
}

impl ReplaySelection {
    pub fn tenant(&self) -> TenantId {
        match self {
            Self::Event { tenant, .. }
            | Self::Events { tenant, .. }
            | Self::Dead { tenant, .. } => *tenant,
        }
    }

    fn parameters(&self) -> Parameters {
        let mut parameters = Parameters {
            tenant: self.tenant().0,
            ids: None,
            reason: None,
            from: None,
            to: None,
            dead_only: true,
        };
        match self {
            Self::Event { id, .. } => {
                parameters.ids = Some(vec![*id]);
                parameters.dead_only = false;
            }
            Self::Events { ids, .. } => parameters.ids = Some(ids.clone()),
            Self::Dead {
                reason, from, to, ..
            } => {
                parameters.reason = reason.clone();
                parameters.from = *from;
                parameters.to = *to;
            }
        }
        parameters
    }
}

/// A replay: how many events it queued, and the mark they carry until replayed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replay {
    pub queued: u64,
    pub mark: DateTime<Utc>,
}

/// Queues the selected events for forwarding again with a fresh retry schedule.
pub async fn replay(
    executor: impl PgExecutor<'_>,
    selection: &ReplaySelection,
) -> Result<Replay, sqlx::Error> {
    // Postgres keeps microseconds: the mark must compare equal once stored.
    let mark = Utc::now().trunc_subsecs(6);
    let p = selection.parameters();
    let queued = sqlx::query!(
        r#"
        UPDATE events
        SET forward_state = 'pending', next_attempt_at = now(), attempts = 0,
            last_error = NULL, dead_reason = NULL, forwarded_at = NULL, claimed_by = NULL,
            replayed_at = $7,
            discarded_at = NULL, discarded_by = NULL, discard_reason = NULL
        WHERE tenant_id = $1 AND forward_state <> 'suppressed'
          AND (NOT $6 OR forward_state = 'dead')
          AND ($2::bigint[] IS NULL OR id = ANY($2))
          AND ($3::text IS NULL OR coalesce(dead_reason, last_error, 'no reason recorded') = $3)
          AND ($4::timestamptz IS NULL OR created_at >= $4)
          AND ($5::timestamptz IS NULL OR created_at < $5)
        "#,
        p.tenant,
        p.ids.as_deref(),
        p.reason,
        p.from,
        p.to,
        p.dead_only,
        mark,
    )
    .execute(executor)
    .await?
    .rows_affected();
    Ok(Replay { queued, mark })
}

/// Marks the selected dead letters as discarded by `by` for `reason`; returns how many.
/// Only dead letters are discarded, whatever the selection.
pub async fn discard(
    executor: impl PgExecutor<'_>,
    selection: &ReplaySelection,
    by: &str,
    reason: &str,
) -> Result<u64, sqlx::Error> {
    let p = selection.parameters();
    Ok(sqlx::query!(
        r#"
        UPDATE events
        SET forward_state = 'discarded', discarded_at = now(), discarded_by = $6,
            discard_reason = $7, next_attempt_at = NULL
        WHERE tenant_id = $1 AND forward_state = 'dead'
          AND ($2::bigint[] IS NULL OR id = ANY($2))
          AND ($3::text IS NULL OR coalesce(dead_reason, last_error, 'no reason recorded') = $3)
          AND ($4::timestamptz IS NULL OR created_at >= $4)
          AND ($5::timestamptz IS NULL OR created_at < $5)
        "#,
        p.tenant,
        p.ids.as_deref(),
        p.reason,
        p.from,
        p.to,
        by,
        reason,
    )
    .execute(executor)
    .await?
    .rows_affected())
}

/// Where the events of one replay stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplayProgress {
    /// Not tried yet, or being retried.
    pub waiting: i64,
    pub forwarded: i64,
    /// Dead (or discarded) again.
    pub failed: i64,
}

pub async fn replay_progress(
    pool: &PgPool,
    tenant: TenantId,
    mark: DateTime<Utc>,
) -> Result<ReplayProgress, sqlx::Error> {
    let row = sqlx::query!(
        r#"
        SELECT count(*) FILTER (WHERE forward_state IN ('pending', 'retrying')) AS "waiting!",
               count(*) FILTER (WHERE forward_state = 'forwarded') AS "forwarded!",
               count(*) FILTER (WHERE forward_state IN ('dead', 'discarded')) AS "failed!"
        FROM events
        WHERE tenant_id = $1 AND replayed_at = $2
        "#,
        tenant.0,
        mark,
    )
    .fetch_one(pool)
    .await?;
    Ok(ReplayProgress {
        waiting: row.waiting,
        forwarded: row.forwarded,
        failed: row.failed,
    })
}

/// The dead letters of one tenant that died of the same reason.
#[derive(Debug, Clone)]
pub struct DeadLetterGroup {
    pub tenant: TenantId,
    pub app_key: String,
    pub tenant_name: String,
    pub reason: String,
    pub count: i64,
    pub oldest: DateTime<Utc>,
    pub newest: DateTime<Utc>,
    /// The newest dead letter's id, as an example.
    pub example: i64,
}

/// The dead letters of the tenants in `scope`, grouped by tenant and reason, the largest
/// groups first.
pub async fn groups(
    pool: &PgPool,
    scope: &[TenantId],
) -> Result<Vec<DeadLetterGroup>, sqlx::Error> {
    let scope: Vec<i64> = scope.iter().map(|id| id.0).collect();
    sqlx::query_as!(
        DeadLetterGroup,
        r#"
        SELECT t.id AS "tenant: TenantId", t.app_key, t.name AS tenant_name,
               coalesce(e.dead_reason, e.last_error, 'no reason recorded') AS "reason!",
               count(*) AS "count!", min(e.created_at) AS "oldest!",
               max(e.created_at) AS "newest!",
               (array_agg(e.id ORDER BY e.created_at DESC, e.id DESC))[1] AS "example!"
        FROM events e JOIN tenants t ON t.id = e.tenant_id
        WHERE e.tenant_id = ANY($1) AND e.forward_state = 'dead' AND t.deleted_at IS NULL
        GROUP BY t.id, t.app_key, t.name, 4
        ORDER BY count(*) DESC, t.app_key, 4
        "#,
        &scope,
    )
    .fetch_all(pool)
    .await
}

/// The newest dead letters of one group, to pick from.
pub async fn in_group(
    pool: &PgPool,
    tenant: TenantId,
    reason: &str,
    limit: i64,
) -> Result<Vec<crate::events::EventRow>, sqlx::Error> {
    sqlx::query_as!(
        crate::events::EventRow,
        r#"
        SELECT id, created_at, kind, customer_id, recipient, category, batch_id, sinch_status,
               sinch_code, forward_state, attempts, last_error
        FROM events
        WHERE tenant_id = $1 AND forward_state = 'dead'
          AND coalesce(dead_reason, last_error, 'no reason recorded') = $2
        ORDER BY created_at DESC, id DESC
        LIMIT $3
        "#,
        tenant.0,
        reason,
        limit,
    )
    .fetch_all(pool)
    .await
}
