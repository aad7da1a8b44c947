//! How far a CSV export started from the events page has got. The file itself streams
//! from `GET /events.csv` (a plain route: a server function cannot stream a body); the
//! page names the export and polls this while the browser downloads it.

use super::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportState {
    pub rows: i64,
    /// How far back through the filter's period the export has read, 0 to 100: it walks
    /// the period newest first.
    pub percent: u8,
    /// The time of the last row written, e.g. "2026-11-25 14:32 UTC".
    pub reached: Option<String>,
    pub finished: bool,
    /// Why the file stopped short, when it did.
    pub failure: Option<String>,
}

/// The user's own export with this id; None until the download has started.
#[server(endpoint = "export_progress")]
pub async fn export_progress(id: String) -> Result<Option<ExportState>, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, pool};

    let principal = allowed(Action::ViewEvents)?;
    let found = store::exports::progress(&pool()?, principal.id, &id).await?;
    Ok(found.map(|export| ExportState {
        rows: export.rows_written,
        percent: if export.finished_at.is_some() && export.failure.is_none() {
            100
        } else {
            percent(&export)
        },
        reached: export.reached.map(domain::shown_time::to_minute),
        finished: export.finished_at.is_some(),
        failure: export.failure,
    }))
}

#[cfg(feature = "ssr")]
fn percent(export: &store::exports::Progress) -> u8 {
    let Some(reached) = export.reached else {
        return 0;
    };
    let period = (export.period_to - export.period_from).num_milliseconds();
    if period <= 0 {
        return 0;
    }
    let done = (export.period_to - reached).num_milliseconds();
    u8::try_from((done.clamp(0, period) * 100) / period).unwrap_or(100)
}
