use std::collections::HashMap;

use chrono::Utc;
use domain::SinchReport;

use super::*;

const TENANT: TenantId = TenantId(7);

fn recipient_report(batch: &str, to: &str, status: &str) -> SinchReport {
    let body = format!(
        r#"{{"type":"recipient_delivery_report_sms","batch_id":"{batch}","recipient":"{to}",
            "code":0,"status":"{status}","at":"2026-11-27T10:00:00Z",
            "client_reference":"$uid=u1$cat=otp"}}"#
    );
    SinchReport::from_json(body.as_bytes()).expect("a valid report")
}

fn summary_report(batch: &str) -> SinchReport {
    let body = format!(
        r#"{{"type":"delivery_report_sms","batch_id":"{batch}","client_reference":"$uid=u1",
            "statuses":[{{"code":0,"status":"Delivered","count":3}},
                        {{"code":401,"status":"Dispatched","count":2}}]}}"#
    );
    SinchReport::from_json(body.as_bytes()).expect("a valid report")
}

fn accepted(reports: &[SinchReport]) -> Vec<Accepted<'_>> {
    reports
        .iter()
        .enumerate()
        .map(|(i, report)| Accepted {
            submission: i,
            tenant: TENANT,
            report_id: 100 + i as i64,
            received_at: Utc::now(),
            report,
            customer_id: report.client_reference.customer_id().expect("a usable uid"),
            extra: serde_json::json!({}),
        })
        .collect()
}

/// Gives every drafted message an id (1, 2, ...) and the stored final flag of `had_final`.
fn stored<'a>(
    accepted: &'a [Accepted<'a>],
    had_final: &[bool],
) -> HashMap<MessageKey<'a>, StoredMessage> {
    message_drafts(accepted)
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let message = StoredMessage {
                id: i as i64 + 1,
                had_final: had_final.get(i).copied().unwrap_or(false),
            };
            (d.key, message)
        })
        .collect()
}

fn events<'a>(rows: &[EventRow<'a>]) -> Vec<(usize, &'a str, EventState)> {
    rows.iter()
        .map(|e| (e.submission, e.sinch_status, e.state))
        .collect()
}

#[test]
fn a_message_mentioned_twice_is_drafted_once_with_its_first_final_status() {
    let reports = [
        recipient_report("b1", "+46700000001", "Dispatched"),
        recipient_report("b1", "+46700000001", "Failed"),
        recipient_report("b1", "+46700000002", "Dispatched"),
        recipient_report("b1", "+46700000001", "Delivered"),
    ];
    let accepted = accepted(&reports);
    let drafts = message_drafts(&accepted);
    let finals: Vec<_> = drafts
        .iter()
        .map(|d| (d.key.recipient, d.final_status))
        .collect();
    assert_eq!(
        finals,
        [("+46700000001", Some("Failed")), ("+46700000002", None)]
    );
}

#[test]
fn a_dispatched_after_the_final_status_in_the_same_batch_is_suppressed() {
    let reports = [
        recipient_report("b1", "+46700000001", "Delivered"),
        recipient_report("b1", "+46700000001", "Dispatched"),
    ];
    let accepted = accepted(&reports);
    let (statuses, rows) = rows(&accepted, &stored(&accepted, &[false]));
    assert_eq!(statuses.len(), 2, "both statuses are history");
    assert_eq!(
        events(&rows),
        [
            (0, "Delivered", EventState::Pending),
            (1, "Dispatched", EventState::Suppressed)
        ]
    );
}

#[test]
fn a_dispatched_before_the_final_status_is_forwarded() {
    let reports = [
        recipient_report("b1", "+46700000001", "Dispatched"),
        recipient_report("b1", "+46700000001", "Delivered"),
    ];
    let accepted = accepted(&reports);
    let (_, rows) = rows(&accepted, &stored(&accepted, &[false]));
    assert_eq!(
        events(&rows),
        [
            (0, "Dispatched", EventState::Pending),
            (1, "Delivered", EventState::Pending)
        ]
    );
}

#[test]
fn a_dispatched_for_a_message_already_final_in_the_database_is_suppressed() {
    let reports = [recipient_report("b1", "+46700000001", "Dispatched")];
    let accepted = accepted(&reports);
    let (_, rows) = rows(&accepted, &stored(&accepted, &[true]));
    assert_eq!(events(&rows), [(0, "Dispatched", EventState::Suppressed)]);
}

#[test]
fn a_second_final_status_in_the_batch_takes_no_event() {
    let reports = [
        recipient_report("b1", "+46700000001", "Failed"),
        recipient_report("b1", "+46700000001", "Delivered"),
    ];
    let accepted = accepted(&reports);
    let (statuses, rows) = rows(&accepted, &stored(&accepted, &[false]));
    assert_eq!(statuses.len(), 2);
    assert_eq!(events(&rows), [(0, "Failed", EventState::Pending)]);
}

#[test]
fn queued_is_history_only() {
    let reports = [recipient_report("b1", "+46700000001", "Queued")];
    let accepted = accepted(&reports);
    let (statuses, rows) = rows(&accepted, &stored(&accepted, &[]));
    assert_eq!(statuses.len(), 1);
    assert!(rows.is_empty());
}

#[test]
fn a_summary_yields_one_aggregate_event_per_status_and_code() {
    let reports = [summary_report("b9")];
    let accepted = accepted(&reports);
    let drafts = message_drafts(&accepted);
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].key.recipient, "");
    assert_eq!(drafts[0].final_status, None, "aggregates are never final");
    let (_, rows) = rows(&accepted, &stored(&accepted, &[]));
    let slots: Vec<_> = rows
        .iter()
        .map(|e| (e.slot.as_str(), e.count, e.state))
        .collect();
    assert_eq!(
        slots,
        [
            ("summary:Delivered:0", 3, EventState::Pending),
            ("summary:Dispatched:401", 2, EventState::Pending)
        ]
    );
}
