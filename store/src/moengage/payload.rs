//! MoEngage request bodies: one customer's events as `actions` of a `/v1/event` body, or
//! customers' events as elements of a bulk `/v1/transition` body, split so that no body
//! reaches MoEngage's size limits; and the credential probe's body.

use crate::forwarding::ClaimedEvent;
use chrono::Utc;
use serde_json::{json, Map, Value};

/// MoEngage refuses `/v1/event` bodies over 128 KB; the margin covers the envelope.
pub const MAX_BODY_BYTES: usize = 120 * 1024;
/// `/v1/transition` (bulk) takes at most 100 KB.
pub const MAX_BULK_BODY_BYTES: usize = 95 * 1024;
/// MoEngage accepts at most 100 attributes per event.
const MAX_ATTRIBUTES: usize = 100;

/// One request: its body and the events it carries.
#[derive(Debug)]
pub struct Request<'a> {
    pub body: Vec<u8>,
    pub events: Vec<&'a ClaimedEvent>,
}

/// Groups events per customer (in claim order) and packs each group into as few requests
/// as the size limit and `max_actions` (the most events the sender wants in one request)
/// allow.
pub fn requests(
    events: &[ClaimedEvent],
    full_recipient: bool,
    max_actions: usize,
) -> Vec<Request<'_>> {
    let customers = by_customer(events);
    let mut requests = Vec::new();
    for (customer_id, group) in customers {
        let actions: Vec<Value> = group.iter().map(|e| action(e, full_recipient)).collect();
        for (events, actions) in group
            .chunks(max_actions.max(1))
            .zip(actions.chunks(max_actions.max(1)))
        {
            pack(customer_id, events, actions, &mut requests);
        }
    }
    requests
}

/// Bulk mode: every customer's events as elements of `/v1/transition` requests, split to
/// stay under its 100 KB limit.
pub fn bulk_requests(events: &[ClaimedEvent], full_recipient: bool) -> Vec<Request<'_>> {
    let elements: Vec<(Value, Vec<&ClaimedEvent>)> = by_customer(events)
        .into_iter()
        .map(|(customer_id, group)| {
            let actions: Vec<Value> = group.iter().map(|e| action(e, full_recipient)).collect();
            (customer_events(customer_id, &actions), group)
        })
        .collect();
    let mut requests = Vec::new();
    pack_bulk(&elements, &mut requests);
    requests
}

fn pack_bulk<'a>(elements: &[(Value, Vec<&'a ClaimedEvent>)], out: &mut Vec<Request<'a>>) {
    let body = serde_json::to_vec(&transition(
        &elements
            .iter()
            .map(|(element, _)| element)
            .collect::<Vec<_>>(),
    ))
    .unwrap_or_default();
    if body.len() <= MAX_BULK_BODY_BYTES || elements.len() == 1 {
        let events = elements.iter().flat_map(|(_, group)| group.iter().copied());
        out.push(Request {
            body,
            events: events.collect(),
        });
        return;
    }
    let half = elements.len() / 2;
    pack_bulk(&elements[..half], out);
    pack_bulk(&elements[half..], out);
}

fn by_customer(events: &[ClaimedEvent]) -> Vec<(&str, Vec<&ClaimedEvent>)> {
    let mut customers: Vec<(&str, Vec<&ClaimedEvent>)> = Vec::new();
    for event in events {
        match customers.iter_mut().find(|(c, _)| *c == event.customer_id) {
            Some((_, group)) => group.push(event),
            None => customers.push((&event.customer_id, vec![event])),
        }
    }
    customers
}

/// Splits in halves until each part fits. A single action over the limit is sent alone:
/// MoEngage answers 413 and it becomes a dead letter with that reason.
fn pack<'a>(
    customer_id: &'a str,
    events: &[&'a ClaimedEvent],
    actions: &[Value],
    out: &mut Vec<Request<'a>>,
) {
    let body = envelope(customer_id, actions);
    if body.len() <= MAX_BODY_BYTES || actions.len() == 1 {
        out.push(Request {
            body,
            events: events.to_vec(),
        });
        return;
    }
    let half = actions.len() / 2;
    pack(customer_id, &events[..half], &actions[..half], out);
    pack(customer_id, &events[half..], &actions[half..], out);
}

fn envelope(customer_id: &str, actions: &[Value]) -> Vec<u8> {
    serde_json::to_vec(&customer_events(customer_id, actions)).unwrap_or_default()
}

/// One customer's actions: a `/v1/event` body, and a bulk body's element.
fn customer_events(customer_id: &str, actions: &[Value]) -> Value {
    json!({ "type": "event", "customer_id": customer_id, "actions": actions })
}

/// Bulk mode's envelope around its elements.
fn transition(elements: &[&Value]) -> Value {
    json!({ "type": "transition", "elements": elements })
}

/// The body that would carry this one event, as the forwarder builds it: what the event
/// page shows under "Request to MoEngage".
pub fn single(event: &ClaimedEvent, full_recipient: bool, bulk: bool) -> Value {
    let element = customer_events(&event.customer_id, &[action(event, full_recipient)]);
    if bulk {
        transition(&[&element])
    } else {
        element
    }
}

/// The credential probe's body: an event without a user, so that a good key stores
/// nothing; MoEngage answers 401 to bad credentials and 400 to the body.
pub fn credentials_probe() -> Value {
    json!({ "type": "event", "actions": [] })
}

/// The MoEngage action for one event. `current_time` is when Sinch reported the status,
/// never later than now (MoEngage refuses events dated in the future).
pub fn action(event: &ClaimedEvent, full_recipient: bool) -> Value {
    let mut attributes = Map::new();
    attributes.insert("batch_id".into(), json!(event.batch_id));
    if !event.recipient.is_empty() {
        let recipient = match domain::Msisdn::parse(&event.recipient) {
            Ok(msisdn) if !full_recipient => msisdn.masked(),
            _ => event.recipient.clone(),
        };
        attributes.insert("recipient".into(), json!(recipient));
    }
    attributes.insert("sinch_status".into(), json!(event.sinch_status));
    attributes.insert("sinch_code".into(), json!(event.sinch_code));
    if let Some(category) = &event.category {
        attributes.insert("cat".into(), json!(category));
    }
    if let Some(operator) = &event.operator {
        attributes.insert("operator".into(), json!(operator));
    }
    if event.recipient.is_empty() {
        // A summary report's aggregate: how many messages had this status.
        attributes.insert("count".into(), json!(event.count));
    }
    attributes.insert("dlrhub_event_id".into(), json!(event.id));
    if let Value::Object(extra) = &event.extra {
        for (key, value) in extra {
            let reserved = key.to_ascii_lowercase().starts_with("moe_");
            if attributes.len() >= MAX_ATTRIBUTES {
                break;
            }
            if !reserved && !attributes.contains_key(key) {
                attributes.insert(key.clone(), value.clone());
            }
        }
    }
    let current_time = event.reported_at.min(Utc::now()).timestamp();
    json!({
        "action": action_name(&event.kind),
        "attributes": attributes,
        "platform": "unknown",
        "current_time": current_time,
        "user_timezone_offset": 0,
    })
}

/// The schema allows only the three stored codes; anything else would be a failure kind.
fn action_name(code: &str) -> &'static str {
    domain::EventKind::from_code(code)
        .unwrap_or(domain::EventKind::DeliveryFailed)
        .action_name()
}

#[cfg(test)]
mod tests;
