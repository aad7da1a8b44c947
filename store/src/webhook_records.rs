//! What the webhook keeps about calls it could not ingest.

use sqlx::PgPool;

use crate::tenants::TenantId;

/// Why a call was refused before any tenant data was touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalReason {
    UnknownTenant,
    Disabled,
    Unauthorized,
}

impl RefusalReason {
    pub fn code(self) -> &'static str {
        match self {
            Self::UnknownTenant => "unknown_tenant",
            Self::Disabled => "disabled",
            Self::Unauthorized => "unauthorized",
        }
    }
}

/// Adds `calls` refused calls under a workspace id and reason: a registered workspace's,
/// or the row of all unknown ids that `count_unknown` does not keep apart.
#[tracing::instrument(skip_all, fields(app_key, reason = reason.code()))]
pub async fn count_refused(
    pool: &PgPool,
    app_key: &str,
    reason: RefusalReason,
    calls: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        INSERT INTO refused_calls (app_key, reason, calls) VALUES ($1, $2, $3)
        ON CONFLICT (app_key, reason) DO UPDATE
            SET calls = refused_calls.calls + EXCLUDED.calls, last_at = now()
        "#,
        app_key,
        reason.code(),
        calls,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Unknown workspace ids kept in `refused_calls`; calls for more go to one row
/// (`OTHER_UNKNOWN`) for all the others.
pub const UNKNOWN_KEPT: i64 = 100;
/// The workspace id of that row: no workspace id can be empty.
pub const OTHER_UNKNOWN: &str = "";

/// Counts `calls` to a workspace id no tenant has: under its own row while fewer than
/// `UNKNOWN_KEPT` unknown ids are kept (or it has one already), else under the row for
/// all others. Rows not called for the retention period are dropped with the rest.
pub async fn count_unknown(pool: &PgPool, app_key: &str, calls: i64) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    // One unknown id at a time, so the count below is the one written against: the
    // webhook writes the ids it gathered all at once (`RefusedCalls`), and with several
    // processes. At most about a hundred a second per process wait here, none on a call.
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('dlrhub:refused_calls:unknown'))")
        .execute(&mut *tx)
        .await?;
    let kept = sqlx::query_scalar!(
        r#"
        INSERT INTO refused_calls (app_key, reason, calls)
        SELECT $1, 'unknown_tenant', $2
        WHERE EXISTS (SELECT 1 FROM refused_calls WHERE app_key = $1 AND reason = 'unknown_tenant')
           OR (SELECT count(*) FROM refused_calls
               WHERE reason = 'unknown_tenant' AND app_key <> $4) < $3
        ON CONFLICT (app_key, reason) DO UPDATE
            SET calls = refused_calls.calls + EXCLUDED.calls, last_at = now()
        RETURNING app_key
        "#,
        app_key,
        calls,
        UNKNOWN_KEPT,
        OTHER_UNKNOWN,
    )
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    if kept.is_none() {
        count_refused(pool, OTHER_UNKNOWN, RefusalReason::UnknownTenant, calls).await?;
    }
    Ok(())
}

/// How many malformed calls are kept per tenant, newest first.
pub const MALFORMED_CALLS_KEPT: i64 = 200;
/// How much of a malformed body is kept.
pub const MALFORMED_EXCERPT_BYTES: usize = 4096;

pub struct MalformedCall<'a> {
    pub status_code: u16,
    pub reason: &'a str,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
    /// The size the caller declared, for bodies refused before they were read.
    pub declared_len: Option<u64>,
}

/// Keeps the start of a body that was not a delivery report, so support can see what Sinch
/// sent; only the newest calls per tenant are kept.
#[tracing::instrument(skip_all, fields(tenant = tenant.0, status = call.status_code))]
pub async fn record_malformed(
    pool: &PgPool,
    tenant: TenantId,
    call: MalformedCall<'_>,
) -> Result<(), sqlx::Error> {
    let excerpt = &call.body[..call.body.len().min(MALFORMED_EXCERPT_BYTES)];
    // Postgres text cannot hold NUL; everything else is kept as close to the bytes as UTF-8 allows.
    let excerpt = String::from_utf8_lossy(excerpt).replace('\0', "\u{FFFD}");
    let mut tx = pool.begin().await?;
    sqlx::query!(
        r#"
        INSERT INTO malformed_calls (tenant_id, status_code, reason, content_type, body_excerpt, body_bytes)
        VALUES ($1, $2, $3, $4, $5, $6)
        "#,
        tenant.0,
        i16::try_from(call.status_code).unwrap_or(i16::MAX),
        call.reason,
        call.content_type,
        excerpt,
        i64::try_from(call.declared_len.unwrap_or(0).max(call.body.len() as u64)).unwrap_or(i64::MAX),
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        DELETE FROM malformed_calls
        WHERE tenant_id = $1 AND id <= (
            SELECT id FROM malformed_calls WHERE tenant_id = $1
            ORDER BY id DESC OFFSET $2 LIMIT 1)
        "#,
        tenant.0,
        MALFORMED_CALLS_KEPT,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}
