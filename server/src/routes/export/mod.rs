//! `GET /events.csv?<the explorer's filters>[&export=<id>]`: every event matching the
//! filters as CSV, streamed a keyset page at a time, so that millions of rows never sit in
//! memory (the body is written while it is read; a slow reader slows the queries down).
//! With `export`, how far it has got is recorded for the page that started it.

mod csv;
mod progress;
mod slots;

pub use slots::ExportSlots;

use app::api::events::{read_query, EventQuery};
use auth::Principal;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::access::Action;
use serde::Deserialize;
use serde_json::json;
use sqlx::PgPool;
use store::events::{Cursor, EventFilter};
use store::tenants::TenantId;
use store::ReadPool;
use tokio::sync::mpsc;

use crate::state::AppState;
use progress::Tracker;

/// Rows per query: large enough to amortise a round trip, small enough to stream.
const PAGE: i64 = 2000;
/// Pages written ahead of the reader.
const AHEAD: usize = 2;

type Chunks = mpsc::Sender<Result<Bytes, std::io::Error>>;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportId {
    export: String,
}

pub async fn events_csv(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Query(query): Query<EventQuery>,
    Query(ExportId { export }): Query<ExportId>,
) -> Response {
    let Some(Extension(principal)) = principal else {
        return super::access::unauthorized();
    };
    if !principal.may(Action::ViewEvents) {
        return refuse(StatusCode::FORBIDDEN, "your role does not allow this");
    }
    let Some(slot) = state.exports.take(principal.id) else {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "you have {} exports running; wait for one to finish",
                slots::PER_USER
            ),
        );
    };
    let visible = match principal.tenants(&state.pool).await {
        Ok(visible) => visible,
        Err(error) => return unavailable(&error),
    };
    let full_numbers = principal.may(Action::ViewFullPhoneNumbers);
    let (filter, scope, problems) = read_query(&query, &visible, full_numbers);
    if !problems.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, &problems.join("; "));
    }
    let tracker = if export.is_empty() {
        None
    } else {
        match Tracker::start(&state.pool, &principal, export, &filter, &scope).await {
            Ok(tracker) => tracker,
            Err(progress::StartError::BadId) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "export: an id is 8 to 64 letters, digits, '-' or '_'",
                )
            }
            Err(progress::StartError::Database(error)) => return unavailable(&error),
        }
    };
    let (sender, mut receiver) = mpsc::channel(AHEAD);
    tokio::spawn(async move {
        stream(
            state.read_pool.clone(),
            scope,
            filter,
            full_numbers,
            sender,
            tracker,
        )
        .await;
        // The place is given back once the file is written or the reader went away.
        drop(slot);
    });
    let body = futures::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    let file = format!(
        "attachment; filename=\"dlrhub-events-{}.csv\"",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
    );
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, file),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// Writes the file into `sender` a page at a time, and tells the tracker how it went. The
/// body ends when `sender` is dropped, after that: a reader that has the whole file finds
/// the export finished.
async fn stream(
    pool: ReadPool,
    scope: Vec<TenantId>,
    filter: EventFilter,
    full_numbers: bool,
    sender: Chunks,
    tracker: Option<Tracker>,
) {
    let failure = write_pages(
        &pool,
        &scope,
        &filter,
        full_numbers,
        &sender,
        tracker.as_ref(),
    )
    .await
    .err();
    if let Some(tracker) = tracker {
        tracker.finish(failure).await;
    }
}

/// The rows, newest first; an error says why the file stopped short.
async fn write_pages(
    pool: &PgPool,
    scope: &[TenantId],
    filter: &EventFilter,
    full_numbers: bool,
    sender: &Chunks,
    tracker: Option<&Tracker>,
) -> Result<(), &'static str> {
    const GONE: &str = "the download was cancelled";
    let header = Bytes::from_static(csv::HEADER.as_bytes());
    sender.send(Ok(header)).await.map_err(|_| GONE)?;
    let mut before = None;
    loop {
        let page = match store::events::search(pool, scope, filter, before, PAGE).await {
            Ok(page) => page,
            Err(error) => {
                tracing::error!(error = &error as &dyn std::error::Error, "export failed");
                // Ends the body with an error, so the download shows as failed rather
                // than as a complete file with rows missing.
                let _ = sender.send(Err(std::io::Error::other(error))).await;
                return Err("the database failed part way; the file is incomplete");
            }
        };
        let mut chunk = String::with_capacity(page.len() * 160);
        for found in &page {
            csv::row(&mut chunk, found, full_numbers);
        }
        before = page.last().map(|last| Cursor {
            created_at: last.event.created_at,
            id: last.event.id,
        });
        // A reader that went away ends the export.
        sender
            .send(Ok(Bytes::from(chunk)))
            .await
            .map_err(|_| GONE)?;
        if let (Some(tracker), Some(last)) = (tracker, before) {
            tracker.advance(page.len(), last.created_at).await;
        }
        if page.len() < usize::try_from(PAGE).unwrap_or(usize::MAX) {
            return Ok(());
        }
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn unavailable(error: &sqlx::Error) -> Response {
    tracing::error!(error = error as &dyn std::error::Error, "export failed");
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        "the database is unavailable",
    )
}
