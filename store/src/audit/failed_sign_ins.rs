//! Failed sign-ins in the audit log, within a bound. Anyone on the internet can fail to
//! sign in, as fast as the throttle lets each address and from as many addresses as they
//! have, so these cannot be one entry per attempt. Within each hour: an address's first
//! [`PER_ADDRESS`] failures are entries of their own (a person mistyping is seen in full:
//! which account, why), the rest of that address's hour are counted in one entry, and once
//! the hour holds [`ENTRIES_PER_HOUR`] entries every further failure, from any address, is
//! counted in one last entry. An hour adds at most `ENTRIES_PER_HOUR + 1` entries, whatever
//! the traffic.

use domain::access::AuditAction;
use serde_json::json;
use sqlx::PgPool;

use super::{record, Actor, AuditEntry};

/// Failures of one address in one hour recorded one by one.
pub const PER_ADDRESS: i64 = 5;
/// Entries of failed sign-ins in one hour, counting entries, before all are counted in one.
pub const ENTRIES_PER_HOUR: i64 = 1_000;
/// Accounts a counting entry names (the first ones tried); the count covers all.
const ACCOUNTS_NAMED: i32 = 5;

/// Records a failed sign-in at the account typed (`email`, lower-cased), for `reason`,
/// from `source_ip` (None when not known).
pub async fn record_failed_sign_in(
    pool: &PgPool,
    email: &str,
    reason: &str,
    source_ip: Option<&str>,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    // One failure at a time, so the counts below are the ones written against. Failures
    // are already slowed by the throttle and argon2; this short wait adds nothing to it.
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('dlrhub:audit:sign_in_failed'))")
        .execute(&mut *tx)
        .await?;
    let hour = sqlx::query!(
        r#"
        SELECT count(*) FILTER (WHERE source_ip IS NOT DISTINCT FROM $1
                                  AND NOT after ? 'attempts') AS "mine!",
               count(*) AS "all!"
        FROM audit_log
        WHERE action = 'sign_in_failed' AND at >= date_trunc('hour', now())
        "#,
        source_ip,
    )
    .fetch_one(&mut *tx)
    .await?;
    if hour.all < ENTRIES_PER_HOUR && hour.mine < PER_ADDRESS {
        let entry = AuditEntry::new(Actor::Anonymous, AuditAction::SignInFailed)
            .target(email)
            .change(None, Some(json!({ "reason": reason })))
            .from_ip(source_ip.map(str::to_owned));
        record(&mut *tx, &entry).await?;
    } else {
        // Past the hour's entries, one count for everyone (no address).
        let counted_ip = source_ip.filter(|_| hour.all < ENTRIES_PER_HOUR);
        count_in(&mut tx, email, counted_ip).await?;
    }
    tx.commit().await
}

/// Adds the failure to the hour's counting entry of `source_ip` (None: of every address),
/// starting it when there is none yet.
async fn count_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    email: &str,
    source_ip: Option<&str>,
) -> Result<(), sqlx::Error> {
    let counted = sqlx::query_scalar!(
        r#"
        UPDATE audit_log
        SET after = jsonb_build_object(
                'attempts', (after->>'attempts')::bigint + 1,
                'accounts', CASE
                    WHEN after->'accounts' ? $2 OR jsonb_array_length(after->'accounts') >= $3
                        THEN after->'accounts'
                    ELSE after->'accounts' || to_jsonb($2::text)
                END,
                'last_at', now())
        WHERE id = (
            SELECT id FROM audit_log
            WHERE action = 'sign_in_failed' AND at >= date_trunc('hour', now())
              AND after ? 'attempts' AND source_ip IS NOT DISTINCT FROM $1
            ORDER BY id LIMIT 1)
        RETURNING id
        "#,
        source_ip,
        email,
        ACCOUNTS_NAMED,
    )
    .fetch_optional(&mut **tx)
    .await?;
    if counted.is_none() {
        let target = match source_ip {
            Some(_) => "further failed sign-ins from this address this hour",
            None => "further failed sign-ins from every address this hour",
        };
        let entry = AuditEntry::new(Actor::Anonymous, AuditAction::SignInFailed)
            .target(target)
            .change(
                None,
                Some(json!({ "attempts": 1, "accounts": [email], "last_at": chrono::Utc::now() })),
            )
            .from_ip(source_ip.map(str::to_owned));
        record(&mut **tx, &entry).await?;
    }
    Ok(())
}
