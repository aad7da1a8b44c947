//! The Audit page's entries, for admins (`Action::ViewAudit`).

use super::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The filters, as they appear in the page's URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    /// An action code (`domain::access::AuditAction::as_str`), or empty for all.
    pub action: String,
    /// Part of the actor's or the target's name.
    pub who: String,
    /// `24h`, `7d`, `30d` or empty for all time.
    pub period: String,
    /// The page's cursor: `<rfc3339>~<id>` of the last entry of the previous page.
    pub before: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub at_text: String,
    pub actor: String,
    pub action: String,
    pub action_label: String,
    pub target: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub source_ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    /// The cursor of the next (older) page, when there is one.
    pub older: Option<String>,
}

pub const PAGE_SIZE: usize = 50;

#[server(endpoint = "list_audit")]
pub async fn list_audit(query: AuditQuery) -> Result<AuditPage, ApiError> {
    use chrono::Utc;
    use domain::access::{Action, AuditAction};
    use store::audit::AuditFilter;

    use super::access::{allowed, pool};

    allowed(Action::ViewAudit)?;
    let action = match query.action.trim() {
        "" => None,
        code => Some(
            code.parse::<AuditAction>()
                .map_err(|e| ApiError::invalid("form", e))?,
        ),
    };
    let now = Utc::now();
    let since = match query.period.as_str() {
        "24h" => Some(now - chrono::Duration::hours(24)),
        "7d" => Some(now - chrono::Duration::days(7)),
        "30d" => Some(now - chrono::Duration::days(30)),
        _ => None,
    };
    let older_than = super::paging::parse_cursor(&query.before)?;
    let filter = AuditFilter {
        action,
        who: Some(query.who.trim().to_owned()).filter(|who| !who.is_empty()),
        since,
        until: None,
        older_than,
        // One more than a page tells whether there is an older page.
        limit: i64::try_from(PAGE_SIZE + 1).unwrap_or(51),
    };
    let mut records = store::audit::list(&pool()?, &filter).await?;
    let older = (records.len() > PAGE_SIZE).then(|| {
        records.truncate(PAGE_SIZE);
        records
            .last()
            .map(|last| super::paging::cursor_text(last.at, last.id))
    });
    let compact = |value: Option<serde_json::Value>| value.map(|value| value.to_string());
    let rows = records
        .into_iter()
        .map(|record| AuditRow {
            id: record.id,
            at: record.at.to_rfc3339(),
            at_text: domain::shown_time::to_second(record.at),
            actor: record.actor,
            action_label: record
                .action
                .parse::<AuditAction>()
                .map_or_else(|_| record.action.clone(), |a| a.label().to_owned()),
            action: record.action,
            target: record.target,
            before: compact(record.before),
            after: compact(record.after),
            source_ip: record.source_ip,
        })
        .collect();
    Ok(AuditPage {
        rows,
        older: older.flatten(),
    })
}
