//! The audit log: who changed what, when, from where, with the state before and after.
//! Appended in the same transaction as the change where there is one, so a change is
//! never without its entry.

use chrono::{DateTime, Utc};
use domain::access::AuditAction;
use serde::Serialize;
use serde_json::Value;
use sqlx::PgExecutor;

mod failed_sign_ins;

pub use failed_sign_ins::{record_failed_sign_in, ENTRIES_PER_HOUR, PER_ADDRESS};

use crate::tenants::TenantId;
use crate::users::UserId;

/// Who did it.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A signed-in console user.
    User { id: UserId, email: String },
    /// An operator at the `dlrhub` command line (the OS user, when known).
    CommandLine { os_user: Option<String> },
    /// Someone not signed in: a failed sign-in.
    Anonymous,
    /// dlrhub itself (the first-run admin).
    System,
}

impl Actor {
    fn user_id(&self) -> Option<i64> {
        match self {
            Actor::User { id, .. } => Some(id.0),
            _ => None,
        }
    }

    /// How the log and a tenant's own record (who enabled it, who deleted it) name them.
    pub fn label(&self) -> String {
        match self {
            Actor::User { email, .. } => email.clone(),
            Actor::CommandLine {
                os_user: Some(user),
            } => format!("command line ({user})"),
            Actor::CommandLine { os_user: None } => "command line".to_owned(),
            Actor::Anonymous => "anonymous".to_owned(),
            Actor::System => "dlrhub".to_owned(),
        }
    }
}

/// One entry to append.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor: Actor,
    pub action: AuditAction,
    pub target: Option<String>,
    pub tenant_id: Option<TenantId>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub source_ip: Option<String>,
}

impl AuditEntry {
    pub fn new(actor: Actor, action: AuditAction) -> Self {
        Self {
            actor,
            action,
            target: None,
            tenant_id: None,
            before: None,
            after: None,
            source_ip: None,
        }
    }

    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    pub fn tenant(mut self, tenant: TenantId) -> Self {
        self.tenant_id = Some(tenant);
        self
    }

    pub fn change(mut self, before: Option<Value>, after: Option<Value>) -> Self {
        self.before = before;
        self.after = after;
        self
    }

    pub fn from_ip(mut self, ip: Option<String>) -> Self {
        self.source_ip = ip;
        self
    }
}

pub async fn record(executor: impl PgExecutor<'_>, entry: &AuditEntry) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        INSERT INTO audit_log (actor_user_id, actor, action, target, tenant_id, before, after, source_ip)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        "#,
        entry.actor.user_id(),
        entry.actor.label(),
        entry.action.as_str(),
        entry.target,
        entry.tenant_id.map(|tenant| tenant.0),
        entry.before,
        entry.after,
        entry.source_ip,
    )
    .execute(executor)
    .await?;
    Ok(())
}

/// An entry as the Audit page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub source_ip: Option<String>,
}

/// Which entries to list: newest first, one keyset page at a time.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<AuditAction>,
    /// Matches anywhere in the actor or the target, case-insensitively.
    pub who: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// The last entry of the previous page.
    pub older_than: Option<(DateTime<Utc>, i64)>,
    pub limit: i64,
}

pub async fn list(
    executor: impl PgExecutor<'_>,
    filter: &AuditFilter,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let who = filter
        .who
        .as_deref()
        .map(|who| format!("%{}%", escape_like(who)));
    let (older_at, older_id) = filter.older_than.unzip();
    sqlx::query_as!(
        AuditRecord,
        r#"
        SELECT id, at, actor, action, target, before, after, source_ip
        FROM audit_log
        WHERE ($1::text IS NULL OR action = $1)
          AND ($2::text IS NULL OR actor ILIKE $2 OR target ILIKE $2)
          AND ($3::timestamptz IS NULL OR at >= $3)
          AND ($4::timestamptz IS NULL OR at < $4)
          AND ($5::timestamptz IS NULL OR (at, id) < ($5, $6))
        ORDER BY at DESC, id DESC
        LIMIT $7
        "#,
        filter.action.map(AuditAction::as_str),
        who,
        filter.since,
        filter.until,
        older_at,
        older_id,
        filter.limit,
    )
    .fetch_all(executor)
    .await
}

fn escape_like(raw: &str) -> String {
    raw.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
