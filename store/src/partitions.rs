//! The tables kept by the UTC day: each day is a partition, created ahead of time by dlrhub
//! itself and dropped whole once it expires, which costs the same at a thousand rows a day
//! or twenty million and leaves no dead rows for the vacuum. The SQL that creates and drops
//! them has its home in the database (`create_daily_partitions`,
//! `drop_daily_partitions_before`, migrations 11, 15 and 18), shared with the migrations.

use chrono::{DateTime, Days, NaiveDate, Utc};
use sqlx::PgPool;

/// A table partitioned by UTC day: by a date for the reports, by day-stamped ids for what
/// ingestion makes of them (migrations/20261207000018_messages_by_day.sql).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DailyTable {
    /// Sinch's bodies as received, kept for `DLRHUB_RAW_RETENTION_DAYS`.
    RawReports,
    /// The parsed reports, kept for `DLRHUB_RETENTION_DAYS`.
    Reports,
    /// Reports refused for their uid, on their report's day.
    Rejections,
    /// Messages, on the day of their first report.
    Messages,
    /// A message's statuses, on its day.
    MessageStatuses,
    /// Events, on their message's day.
    Events,
    /// The attempts to forward an event that did not succeed, on its day.
    ForwardAttempts,
}

impl DailyTable {
    pub const ALL: [DailyTable; 7] = [
        Self::RawReports,
        Self::Reports,
        Self::Rejections,
        Self::Messages,
        Self::MessageStatuses,
        Self::Events,
        Self::ForwardAttempts,
    ];
    /// Kept for `DLRHUB_RETENTION_DAYS`, and dropped together: a report is never older
    /// than its message, and a message's statuses, events and attempts share its day.
    pub const HISTORY: [DailyTable; 6] = [
        Self::Reports,
        Self::Rejections,
        Self::Messages,
        Self::MessageStatuses,
        Self::Events,
        Self::ForwardAttempts,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::RawReports => "raw_reports",
            Self::Reports => "reports",
            Self::Rejections => "rejections",
            Self::Messages => "messages",
            Self::MessageStatuses => "message_statuses",
            Self::Events => "events",
            Self::ForwardAttempts => "forward_attempts",
        }
    }
}

/// Days prepared ahead: ingestion never meets a missing day while dlrhub's hourly pass runs
/// at least once a week.
pub const DAYS_AHEAD: u64 = 7;

/// Creates, for every table kept by the day, the days from `from` until [`DAYS_AHEAD`]
/// days after today that have no partition yet; returns how many it created.
pub async fn prepare_days(pool: &PgPool, from: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let today = Utc::now().date_naive();
    let last = today
        .checked_add_days(Days::new(DAYS_AHEAD))
        .unwrap_or(today);
    let first: NaiveDate = from.date_naive().min(today);
    let tables: Vec<&str> = DailyTable::ALL.iter().map(|t| t.name()).collect();
    let made = sqlx::query_scalar!(
        r#"
        SELECT sum(create_daily_partitions(t::regclass, $2, $3))::bigint AS "made!"
        FROM unnest($1::text[]) AS t
        "#,
        &tables as &[&str],
        first,
        last
    )
    .fetch_one(pool)
    .await?;
    Ok(u64::try_from(made).unwrap_or(0))
}

/// Drops the days of `tables` wholly before `cutoff`, in one transaction (a report's day and
/// its rejections' go together); returns how many. Dropping a partition locks its parent
/// table for an instant; behind a long query it gives up and waits for the next pass rather
/// than hold ingestion up.
pub async fn drop_days_before(
    pool: &PgPool,
    tables: &[DailyTable],
    cutoff: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let names: Vec<&str> = tables.iter().map(|t| t.name()).collect();
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL lock_timeout = '5s'")
        .execute(&mut *tx)
        .await?;
    let dropped = sqlx::query_scalar!(
        r#"
        SELECT coalesce(sum(drop_daily_partitions_before(t::regclass, $2)), 0)::bigint
            AS "dropped!"
        FROM unnest($1::text[]) AS t
        "#,
        &names as &[&str],
        cutoff
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(u64::try_from(dropped).unwrap_or(0))
}

/// Drops the digest key of the days of reports no retry can arrive for any more (before
/// yesterday: Sinch retries for about 23 hours); returns how many. The key makes a retry a
/// no-op and was the largest index of all, kept on every day for nothing
/// (migrations/20261208000022_digest_keys_for_the_retry_window.sql). Like dropping a day,
/// it gives up behind a long query and waits for the next pass.
pub async fn drop_expired_digest_keys(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL lock_timeout = '5s'")
        .execute(&mut *tx)
        .await?;
    let dropped = sqlx::query_scalar!(r#"SELECT drop_expired_report_digest_keys() AS "dropped!""#)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(u64::try_from(dropped).unwrap_or(0))
}
