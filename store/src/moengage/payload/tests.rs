use crate::forwarding::ClaimedEvent;
use crate::tenants::TenantId;
use chrono::{Duration, Utc};
use serde_json::json;

use super::*;

fn event(id: i64, customer: &str, kind: &str) -> ClaimedEvent {
    ClaimedEvent {
        tenant: TenantId(1),
        id,
        attempt: 1,
        kind: kind.into(),
        customer_id: customer.into(),
        category: Some("otp".into()),
        batch_id: "B1".into(),
        recipient: "+46701234567".into(),
        sinch_status: "Delivered".into(),
        sinch_code: 0,
        count: 1,
        operator: Some("24001".into()),
        extra: json!({ "order": "A-17", "moe_hidden": "x", "batch_id": "spoofed" }),
        reported_at: Utc::now() - Duration::seconds(30),
    }
}

fn parsed(request: &Request<'_>) -> serde_json::Value {
    serde_json::from_slice(&request.body).expect("JSON")
}

#[test]
fn events_are_grouped_per_customer_in_one_request_each() {
    let events = [
        event(1, "u1", "sent"),
        event(2, "u2", "delivered"),
        event(3, "u1", "delivered"),
    ];
    let requests = requests(&events, false, usize::MAX);
    let summary: Vec<_> = requests
        .iter()
        .map(|r| {
            let ids: Vec<i64> = r.events.iter().map(|e| e.id).collect();
            (parsed(r)["customer_id"].as_str().map(str::to_owned), ids)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Some("u1".to_owned()), vec![1, 3]),
            (Some("u2".to_owned()), vec![2])
        ]
    );
    let body = parsed(&requests[0]);
    assert_eq!(body["type"], "event");
    assert_eq!(body["customer_id"], "u1");
    let names: Vec<_> = body["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| a["action"].as_str().expect("a name"))
        .collect();
    assert_eq!(names, ["SMS Sent", "SMS Delivered"]);
}

#[test]
fn an_action_carries_the_report_and_the_extra_keys_but_no_reserved_or_spoofed_ones() {
    let action = action(&event(9, "u1", "delivery_failed"), false);
    assert_eq!(action["action"], "SMS Delivery Failed");
    assert_eq!(action["platform"], "unknown");
    let attributes = &action["attributes"];
    assert_eq!(attributes["batch_id"], "B1", "our batch id wins");
    assert_eq!(attributes["cat"], "otp");
    assert_eq!(attributes["operator"], "24001");
    assert_eq!(attributes["order"], "A-17");
    assert!(attributes.get("moe_hidden").is_none());
    assert_ne!(attributes["recipient"], "+46701234567", "masked by default");
}

#[test]
fn the_full_recipient_is_sent_when_the_tenant_asks() {
    let action = action(&event(9, "u1", "delivered"), true);
    assert_eq!(action["attributes"]["recipient"], "+46701234567");
}

#[test]
fn current_time_is_the_report_time_but_never_in_the_future() {
    let mut past = event(1, "u1", "delivered");
    let expected = past.reported_at.timestamp();
    assert_eq!(action(&past, false)["current_time"], expected);
    past.reported_at = Utc::now() + Duration::hours(2);
    let sent = action(&past, false)["current_time"]
        .as_i64()
        .expect("epoch");
    assert!(sent <= Utc::now().timestamp());
}

#[test]
fn a_customer_with_too_many_events_for_one_body_gets_several_requests() {
    let mut events = Vec::new();
    for id in 0..400 {
        let mut e = event(id, "u1", "delivered");
        e.extra = json!({ "padding": "x".repeat(600) });
        events.push(e);
    }
    let requests = requests(&events, false, usize::MAX);
    assert!(requests.len() > 1);
    assert!(requests.iter().all(|r| r.body.len() <= MAX_BODY_BYTES));
    let carried: usize = requests.iter().map(|r| r.events.len()).sum();
    assert_eq!(carried, 400, "every event is sent once");
}

#[test]
fn bulk_mode_sends_each_customer_as_an_element_of_one_transition() {
    let events = [
        event(1, "u1", "sent"),
        event(2, "u2", "delivered"),
        event(3, "u1", "delivered"),
    ];
    let requests = bulk_requests(&events, false);
    assert_eq!(requests.len(), 1);
    let body = parsed(&requests[0]);
    assert_eq!(body["type"], "transition");
    let elements = body["elements"].as_array().expect("elements");
    let customers: Vec<_> = elements
        .iter()
        .map(|e| {
            (
                e["customer_id"].as_str(),
                e["actions"].as_array().map(Vec::len),
            )
        })
        .collect();
    assert_eq!(customers, [(Some("u1"), Some(2)), (Some("u2"), Some(1))]);
    assert!(requests[0].body.len() <= MAX_BULK_BODY_BYTES);
}

#[test]
fn a_customers_events_are_split_to_the_most_actions_asked_for() {
    let events: Vec<ClaimedEvent> = (0..7).map(|i| event(i, "42", "delivered")).collect();
    let requests = requests(&events, false, 3);
    let sizes: Vec<usize> = requests.iter().map(|r| r.events.len()).collect();
    assert_eq!(sizes, [3, 3, 1]);
}
