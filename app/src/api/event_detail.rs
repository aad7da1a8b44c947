//! One event's whole story for its page: the report as Sinch sent it, the message's status
//! timeline, the MoEngage request and every forwarding attempt; and replaying it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::activity::Moment;
use super::error::ApiError;
use super::events::EventSummary;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetail {
    pub app_key: String,
    pub tenant_name: String,
    pub event: EventSummary,
    /// A summary report's aggregate counts messages; a recipient's event is one.
    pub count: i64,
    pub operator: Option<String>,
    pub reported_at: Moment,
    pub forwarded_at: Option<Moment>,
    /// When the next attempt is due, while the event waits.
    pub next_attempt_at: Option<Moment>,
    pub report: ReportView,
    pub timeline: Vec<TimelineStep>,
    pub request: RequestView,
    pub attempts: Vec<AttemptView>,
    /// Whether the user may replay it (and it is an event that is forwarded at all).
    pub may_replay: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub id: i64,
    pub received_at: Moment,
    pub report_type: String,
    /// Read from the raw body: None when the report had none, or when the body is gone.
    pub client_reference: Option<String>,
    /// The body as received, indented when it is JSON (it always is once stored); or why
    /// it cannot be shown.
    pub body: Result<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineStep {
    pub status: String,
    pub code: i32,
    pub count: i64,
    pub at: Moment,
    /// The time since the previous status ("+4 s").
    pub gap: Option<String>,
    pub operator: Option<String>,
}

/// The request the forwarder sends for this event (events of the same uid claimed
/// together share one request; this shows the event's part alone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub url: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptView {
    pub attempt: i32,
    pub at: Moment,
    pub http_status: Option<i16>,
    pub latency_ms: i32,
    /// `forwarded`, `retry`, `dead` or `paused`.
    pub outcome: String,
    pub error: Option<String>,
}

#[server(endpoint = "get_event")]
pub async fn get_event(app_key: String, id: i64) -> Result<EventDetail, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, cipher, data_api, pool};
    use super::tenants::visible;

    let principal = allowed(Action::ViewEvents)?;
    let data_api = data_api()?;
    let tenant = visible(&principal, &app_key).await?;
    let pool = pool()?;
    let detail = store::events::detail(&pool, tenant.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such event"))?;
    let profile = store::forwarding::profile(&pool, &cipher()?, tenant.id).await?;
    let full_numbers = principal.may(Action::ViewFullPhoneNumbers);
    Ok(ssr::detail(
        detail,
        &tenant,
        &profile,
        &data_api,
        full_numbers,
        principal.may(Action::Replay),
    ))
}

/// Queues one event for forwarding again, whatever its state; returns where it stands.
#[server(endpoint = "replay_event")]
pub async fn replay_event(app_key: String, id: i64) -> Result<String, ApiError> {
    use domain::access::Action;

    use super::access::{allowed, pool};
    use super::tenants::visible;

    let principal = allowed(Action::Replay)?;
    let tenant = visible(&principal, &app_key).await?;
    let selection = store::forwarding::ReplaySelection::Event {
        tenant: tenant.id,
        id,
    };
    let by = auth::users::ChangedBy::from(&principal);
    let replay = auth::tenants::replay(&pool()?, &by, &tenant, &selection).await?;
    if replay.queued == 0 {
        return Err(ApiError::not_found(
            "no such event, or one that is never forwarded (a Dispatched after the final status)",
        ));
    }
    Ok("Queued: it is sent again within seconds.".to_owned())
}

#[cfg(feature = "ssr")]
mod ssr {
    use chrono::Utc;
    use store::events::RawBody;

    use super::*;
    use crate::api::activity::{age, moment};

    pub fn detail(
        detail: store::events::EventDetail,
        tenant: &store::tenants::Tenant,
        profile: &store::forwarding::ForwardingProfile,
        data_api: &store::moengage::DataApi,
        full_numbers: bool,
        may_replay: bool,
    ) -> EventDetail {
        let now = Utc::now();
        let claimed = detail.as_claimed();
        let mut request =
            store::moengage::payload::single(&claimed, profile.full_recipient, profile.bulk);
        if !full_numbers {
            mask_numbers(&mut request);
        }
        let mut previous = None;
        let timeline = detail
            .timeline
            .into_iter()
            .map(|step| {
                let gap = previous.map(|before| format!("+{}", age(step.reported_at - before)));
                previous = Some(step.reported_at);
                TimelineStep {
                    status: step.status,
                    code: step.code,
                    count: step.count,
                    at: moment(step.reported_at, now),
                    gap,
                    operator: step.operator,
                }
            })
            .collect();
        let forwarded = detail.event.forward_state != domain::ForwardState::Suppressed.code();
        let client_reference = detail.report.client_reference();
        EventDetail {
            app_key: tenant.app_key.to_string(),
            tenant_name: tenant.name.clone(),
            event: crate::api::events::summary(tenant, detail.event, full_numbers, now),
            count: detail.count,
            operator: detail.operator,
            reported_at: moment(detail.reported_at, now),
            forwarded_at: detail.forwarded_at.map(|at| moment(at, now)),
            next_attempt_at: detail.next_attempt_at.map(|at| moment(at, now)),
            report: ReportView {
                id: detail.report.id,
                received_at: moment(detail.report.received_at, now),
                report_type: detail.report.report_type,
                client_reference,
                body: match detail.report.body {
                    RawBody::Kept(body) => Ok(indented(&body, full_numbers)),
                    RawBody::Expired => Err(EXPIRED.to_owned()),
                    RawBody::Unreadable(why) => {
                        Err(format!("The raw report cannot be read: {why}."))
                    }
                },
            },
            timeline,
            request: RequestView {
                url: data_api.events_url(tenant.data_center, &tenant.app_key, profile.bulk),
                body: serde_json::to_string_pretty(&request).unwrap_or_default(),
            },
            attempts: detail
                .attempts
                .into_iter()
                .map(|attempt| AttemptView {
                    attempt: attempt.attempt,
                    at: moment(attempt.attempted_at, now),
                    http_status: attempt.http_status,
                    latency_ms: attempt.latency_ms,
                    outcome: attempt.outcome,
                    error: attempt.error,
                })
                .collect(),
            may_replay: may_replay && forwarded,
        }
    }

    const EXPIRED: &str = "The raw report has expired: raw reports are kept for fewer days \
        than events (DLRHUB_RAW_RETENTION_DAYS). What dlrhub read from it is above and on this \
        page.";

    /// The report indented for reading. People who may not see full numbers see the raw
    /// report only with its phone numbers masked.
    fn indented(body: &str, full_numbers: bool) -> String {
        let Ok(mut value) = serde_json::from_str::<serde_json::Value>(body) else {
            return body.to_owned();
        };
        if !full_numbers {
            mask_numbers(&mut value);
        }
        serde_json::to_string_pretty(&value).unwrap_or_else(|_| body.to_owned())
    }

    fn mask_numbers(value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::Object(map) => {
                for (key, inner) in map.iter_mut() {
                    match inner {
                        Value::String(text) if key == "recipient" => mask(text),
                        Value::Array(numbers) if key == "recipients" => {
                            for number in numbers {
                                if let Value::String(text) = number {
                                    mask(text);
                                }
                            }
                        }
                        _ => mask_numbers(inner),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(mask_numbers),
            _ => {}
        }
    }

    fn mask(text: &mut String) {
        if let Ok(number) = domain::Msisdn::parse(text) {
            *text = number.masked();
        }
    }
}
