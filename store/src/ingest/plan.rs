//! What a batch of new reports writes, worked out in memory so that each table gets one
//! statement per batch instead of one per report.
//!
//! The rules are the ones a report-at-a-time loop would apply, in arrival order: the first
//! final status of a message wins, each message holds at most one event per slot, and a
//! Dispatched that comes after the message's final status is stored but not forwarded.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::{CustomerId, EventKind, Observation, SinchReport};

use crate::tenants::TenantId;

/// A new report whose uid is usable: its observations become statuses and events.
pub(super) struct Accepted<'a> {
    /// Its position in the submitted batch, to count its events.
    pub submission: usize,
    pub tenant: TenantId,
    pub report_id: i64,
    pub received_at: DateTime<Utc>,
    pub report: &'a SinchReport,
    pub customer_id: CustomerId,
    /// client_reference keys other than uid and cat, forwarded as attributes.
    pub extra: serde_json::Value,
}

/// A message is a tenant's batch and recipient; '' is a summary report's aggregate row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct MessageKey<'a> {
    pub tenant: TenantId,
    pub batch_id: &'a str,
    pub recipient: &'a str,
}

/// A message as this batch first describes it.
#[derive(Debug, PartialEq)]
pub(super) struct MessageDraft<'a> {
    pub key: MessageKey<'a>,
    pub customer_id: &'a str,
    pub category: Option<&'a str>,
    /// The first final status the batch reports for it.
    pub final_status: Option<&'a str>,
}

/// A message as stored before this batch touched it.
#[derive(Debug, Clone, Copy)]
pub(super) struct StoredMessage {
    pub id: i64,
    pub had_final: bool,
}

pub(super) struct StatusRow<'a> {
    pub tenant: TenantId,
    pub message_id: i64,
    pub report_id: i64,
    pub status: &'a str,
    pub code: i32,
    pub count: i64,
    pub reported_at: DateTime<Utc>,
    pub operator: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EventState {
    Pending,
    Suppressed,
}

impl EventState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Suppressed => "suppressed",
        }
    }
}

pub(super) struct EventRow<'a> {
    pub submission: usize,
    pub state: EventState,
    pub tenant: TenantId,
    pub message_id: i64,
    pub report_id: i64,
    pub kind: EventKind,
    pub slot: String,
    pub customer_id: &'a str,
    pub category: Option<&'a str>,
    pub batch_id: &'a str,
    pub recipient: &'a str,
    pub sinch_status: &'a str,
    pub code: i32,
    pub count: i64,
    pub operator: Option<&'a str>,
    pub extra: &'a serde_json::Value,
    pub reported_at: DateTime<Utc>,
}

fn key<'a>(accepted: &'a Accepted<'a>, observation: &'a Observation) -> MessageKey<'a> {
    MessageKey {
        tenant: accepted.tenant,
        batch_id: &accepted.report.batch_id,
        recipient: observation.recipient.as_ref().map_or("", |r| r.as_str()),
    }
}

fn observations<'a>(
    accepted: &'a [Accepted<'a>],
) -> impl Iterator<Item = (&'a Accepted<'a>, &'a Observation)> {
    accepted
        .iter()
        .flat_map(|a| a.report.observations.iter().map(move |o| (a, o)))
}

/// Counts of a summary report belong to the batch's aggregate row, which never has a final
/// status of its own.
fn final_status(observation: &Observation) -> Option<&str> {
    (observation.recipient.is_some() && observation.status.is_final())
        .then(|| observation.status.as_str())
}

/// Every message the batch mentions, once, in order of first mention.
pub(super) fn message_drafts<'a>(accepted: &'a [Accepted<'a>]) -> Vec<MessageDraft<'a>> {
    let mut index: HashMap<MessageKey<'a>, usize> = HashMap::new();
    let mut drafts: Vec<MessageDraft<'a>> = Vec::new();
    for (report, observation) in observations(accepted) {
        let key = key(report, observation);
        let position = *index.entry(key).or_insert_with(|| {
            drafts.push(MessageDraft {
                key,
                customer_id: report.customer_id.as_str(),
                category: report.report.client_reference.cat.as_deref(),
                final_status: None,
            });
            drafts.len() - 1
        });
        let draft = &mut drafts[position];
        draft.final_status = draft.final_status.or(final_status(observation));
    }
    drafts
}

/// The statuses and events of the batch, given each message's stored state.
pub(super) fn rows<'a>(
    accepted: &'a [Accepted<'a>],
    messages: &HashMap<MessageKey<'a>, StoredMessage>,
) -> (Vec<StatusRow<'a>>, Vec<EventRow<'a>>) {
    let mut has_final: HashMap<i64, bool> =
        messages.values().map(|m| (m.id, m.had_final)).collect();
    let mut taken: HashSet<(i64, String)> = HashSet::new();
    let (mut statuses, mut events) = (Vec::new(), Vec::new());
    for (report, observation) in observations(accepted) {
        let key = key(report, observation);
        let message_id = messages[&key].id;
        let reported_at = observation.at.unwrap_or(report.received_at);
        let code = saturate(observation.code);
        let count = i64::try_from(observation.count.max(1)).unwrap_or(i64::MAX);
        statuses.push(StatusRow {
            tenant: report.tenant,
            message_id,
            report_id: report.report_id,
            status: observation.status.as_str(),
            code,
            count,
            reported_at,
            operator: observation.operator.as_deref(),
        });
        let final_before = has_final[&message_id];
        if final_status(observation).is_some() {
            has_final.insert(message_id, true);
        }
        let Some(kind) = observation.status.event() else {
            continue;
        };
        let aggregate = observation.recipient.is_none();
        let slot = match (aggregate, kind.is_final()) {
            (true, _) => format!("summary:{}:{}", observation.status, observation.code),
            (false, true) => "final".to_owned(),
            (false, false) => "sent".to_owned(),
        };
        if !taken.insert((message_id, slot.clone())) {
            continue;
        }
        // MoEngage would show the message as sent after it was delivered.
        let state = if kind == EventKind::Sent && final_before && !aggregate {
            EventState::Suppressed
        } else {
            EventState::Pending
        };
        events.push(EventRow {
            submission: report.submission,
            state,
            tenant: report.tenant,
            message_id,
            report_id: report.report_id,
            kind,
            slot,
            customer_id: report.customer_id.as_str(),
            category: report.report.client_reference.cat.as_deref(),
            batch_id: key.batch_id,
            recipient: key.recipient,
            sinch_status: observation.status.as_str(),
            code,
            count,
            operator: observation.operator.as_deref(),
            extra: &report.extra,
            reported_at,
        });
    }
    (statuses, events)
}

/// Sinch's codes are small; anything outside i32 is clamped rather than refused.
fn saturate(code: i64) -> i32 {
    i32::try_from(code).unwrap_or(if code < 0 { i32::MIN } else { i32::MAX })
}

#[cfg(test)]
mod tests;
