//! `GET /events.csv?<the explorer's filters>`: every event matching the filters as CSV,
//! streamed a keyset page at a time, so that millions of rows never sit in memory (the
//! body is written while it is read; a slow reader slows the queries down).

use std::fmt::Write as _;

use app::api::events::{read_query, shown_phone, EventQuery};
use auth::Principal;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::access::Action;
use serde_json::json;
use store::events::{Cursor, ListedEvent};
use tokio::sync::mpsc;

use crate::startup::AppState;

/// Rows per query: large enough to amortise a round trip, small enough to stream.
const PAGE: i64 = 2000;
/// Pages written ahead of the reader.
const AHEAD: usize = 2;

const HEADER: &str = "time,tenant,event_id,event,uid,phone,category,batch_id,sinch_status,sinch_code,forwarding,attempts,last_error\n";

pub async fn events_csv(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Query(query): Query<EventQuery>,
) -> Response {
    let Some(Extension(principal)) = principal else {
        return super::access::unauthorized();
    };
    if !principal.may(Action::ViewEvents) {
        return refuse(StatusCode::FORBIDDEN, "your role does not allow this");
    }
    let tenants = match store::tenants::list(&state.pool).await {
        Ok(tenants) => tenants,
        Err(error) => {
            tracing::error!(error = &error as &dyn std::error::Error, "export failed");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is unavailable",
            );
        }
    };
    let visible: Vec<_> = tenants
        .into_iter()
        .filter(|tenant| principal.sees_tenant(tenant.id))
        .collect();
    let (filter, scope, problems) = read_query(&query, &visible);
    if !problems.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, &problems.join("; "));
    }
    let full_numbers = principal.may(Action::ViewFullPhoneNumbers);
    let (sender, mut receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(AHEAD);
    let pool = state.pool.clone();
    tokio::spawn(async move {
        if sender
            .send(Ok(Bytes::from_static(HEADER.as_bytes())))
            .await
            .is_err()
        {
            return;
        }
        let mut before = None;
        loop {
            let page = match store::events::search(&pool, &scope, &filter, before, PAGE).await {
                Ok(page) => page,
                Err(error) => {
                    tracing::error!(error = &error as &dyn std::error::Error, "export failed");
                    // Ends the body with an error, so the download shows as failed rather
                    // than as a complete file with rows missing.
                    let _ = sender.send(Err(std::io::Error::other(error))).await;
                    return;
                }
            };
            let mut chunk = String::with_capacity(page.len() * 160);
            for found in &page {
                row(&mut chunk, found, full_numbers);
            }
            before = page.last().map(|last| Cursor {
                created_at: last.event.created_at,
                id: last.event.id,
            });
            // A reader that went away ends the export.
            if sender.send(Ok(Bytes::from(chunk))).await.is_err() {
                return;
            }
            if page.len() < usize::try_from(PAGE).unwrap_or(usize::MAX) {
                return;
            }
        }
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

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn row(out: &mut String, found: &ListedEvent, full_numbers: bool) {
    let event = &found.event;
    let fields = [
        event.created_at.to_rfc3339(),
        found.app_key.clone(),
        event.id.to_string(),
        event.kind.clone(),
        event.customer_id.clone(),
        shown_phone(&event.recipient, full_numbers),
        event.category.clone().unwrap_or_default(),
        event.batch_id.clone(),
        event.sinch_status.clone(),
        event.sinch_code.to_string(),
        event.forward_state.clone(),
        event.attempts.to_string(),
        event.last_error.clone().unwrap_or_default(),
    ];
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}", Field(field));
    }
    out.push('\n');
}

/// A CSV field: quoted when it holds a separator, a quote or a line break, and defused
/// when a spreadsheet would read it as a formula (uids and batch ids come from outside).
/// Signed numbers, such as phone numbers, stay as they are.
struct Field<'a>(&'a str);

impl Field<'_> {
    fn is_formula(&self) -> bool {
        let mut chars = self.0.chars();
        match chars.next() {
            Some('=' | '@' | '\t' | '\r') => true,
            Some('+' | '-') => !chars.all(|c| c.is_ascii_digit()),
            _ => false,
        }
    }
}

impl std::fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let formula = self.is_formula();
        let quote = formula || self.0.contains([',', '"', '\n', '\r']);
        if !quote {
            return f.write_str(self.0);
        }
        f.write_str("\"")?;
        if formula {
            f.write_str("'")?;
        }
        f.write_str(&self.0.replace('"', "\"\""))?;
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::Field;

    #[test]
    fn fields_are_quoted_only_when_needed_and_formulas_defused() {
        let shown = |raw: &str| Field(raw).to_string();
        assert_eq!(shown("plain-42"), "plain-42");
        assert_eq!(shown("a,b"), "\"a,b\"");
        assert_eq!(shown("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(shown("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(shown("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(shown("+447700900123"), "+447700900123", "a phone number");
        assert_eq!(shown("-2+3"), "\"'-2+3\"");
    }
}
