use proptest::prelude::*;

use super::*;
use crate::EventKind;

fn parse(json: &str) -> SinchReport {
    SinchReport::from_json(json.as_bytes()).expect("a valid report")
}

fn error(json: &str) -> String {
    SinchReport::from_json(json.as_bytes())
        .expect_err("an invalid report")
        .to_string()
}

#[test]
fn a_recipient_report_is_one_observation_with_its_details() {
    let report = parse(
        r#"{ "type": "recipient_delivery_report_sms", "batch_id": "01FC66621XXXXX119Z8PMV1QPQ",
             "recipient": "+44231235674", "code": 401, "status": "Dispatched",
             "at": "2022-08-30T08:16:08.930Z", "operator_status_at": "2022-08-30T08:16:08.150Z",
             "client_reference": "$uid=42$cat=otp", "operator": "23410", "encoding": "GSM",
             "number_of_message_parts": 1, "applied_originator": "12345" }"#,
    );

    assert_eq!(report.channel, Channel::Sms);
    assert!(report.per_recipient);
    assert_eq!(report.batch_id, "01FC66621XXXXX119Z8PMV1QPQ");
    assert_eq!(report.client_reference.uid.as_deref(), Some("42"));
    let [observation] = report.observations.as_slice() else {
        panic!("one observation expected");
    };
    assert_eq!(
        observation.recipient.as_ref().map(Msisdn::as_str),
        Some("+44231235674")
    );
    assert_eq!(observation.status.event(), Some(EventKind::Sent));
    assert_eq!(observation.code, 401);
    assert_eq!(observation.count, 1);
    assert_eq!(
        observation.at.map(|at| at.to_rfc3339()),
        Some("2022-08-30T08:16:08.930+00:00".to_owned())
    );
    assert_eq!(observation.operator.as_deref(), Some("23410"));
}

#[test]
fn an_mms_recipient_report_is_accepted_without_optional_fields() {
    let report = parse(
        r#"{ "type": "recipient_delivery_report_mms", "batch_id": "b1", "recipient": "4915112345678",
             "code": 0, "status": "Delivered", "at": "2024-01-01T00:00:00Z" }"#,
    );
    assert_eq!(report.channel, Channel::Mms);
    assert_eq!(report.client_reference, ClientReference::default());
    assert_eq!(
        report.observations[0]
            .recipient
            .as_ref()
            .map(Msisdn::as_str),
        Some("+4915112345678")
    );
}

#[test]
fn a_full_batch_report_expands_to_one_observation_per_recipient() {
    let report = parse(
        r#"{ "type": "delivery_report_sms", "batch_id": "01FC66621XXXXX119Z8PMV1QPQ",
             "total_message_count": 3, "client_reference": "$uid=42",
             "statuses": [
               { "code": 0, "status": "Delivered", "count": 2, "recipients": ["44231235674", "+44231235676"] },
               { "code": 402, "status": "Aborted", "count": 1, "recipients": ["44231235675"] } ] }"#,
    );

    assert!(!report.per_recipient);
    let seen: Vec<(Option<&str>, &str, u64)> = report
        .observations
        .iter()
        .map(|o| {
            (
                o.recipient.as_ref().map(Msisdn::as_str),
                o.status.as_str(),
                o.count,
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (Some("+44231235674"), "Delivered", 1),
            (Some("+44231235676"), "Delivered", 1),
            (Some("+44231235675"), "Aborted", 1),
        ]
    );
}

#[test]
fn a_summary_batch_report_gives_one_observation_per_status_with_its_count() {
    let report = parse(
        r#"{ "type": "delivery_report_mms", "batch_id": "b2", "total_message_count": 7,
             "statuses": [ { "code": 0, "status": "Delivered", "count": 5 },
                           { "code": 406, "status": "Expired", "count": 2 } ] }"#,
    );

    let seen: Vec<(bool, &str, u64)> = report
        .observations
        .iter()
        .map(|o| (o.recipient.is_some(), o.status.as_str(), o.count))
        .collect();
    assert_eq!(seen, vec![(false, "Delivered", 5), (false, "Expired", 2)]);
}

#[test]
fn unknown_codes_and_statuses_are_stored_not_refused() {
    let report = parse(
        r#"{ "type": "recipient_delivery_report_sms", "batch_id": "b", "recipient": "123456",
             "code": 9999, "status": "Throttled", "at": "2024-01-01T00:00:00Z" }"#,
    );
    assert_eq!(report.observations[0].code, 9999);
    assert_eq!(report.observations[0].status.as_str(), "Throttled");
}

#[test]
fn each_malformed_body_says_what_is_wrong() {
    assert!(error("not json").contains("not a Sinch delivery report"));
    assert!(error(r#"{ "batch_id": "b" }"#).contains("missing field `type`"));
    assert!(error(r#"{ "type": "inbound_sms", "batch_id": "b" }"#)
        .contains("unknown variant `inbound_sms`"));
    assert!(error(
        r#"{ "type": "recipient_delivery_report_sms", "batch_id": "b", "code": 0,
             "status": "Delivered", "at": "2024-01-01T00:00:00Z" }"#
    )
    .contains("missing field `recipient`"));
    assert!(error(
        r#"{ "type": "recipient_delivery_report_sms", "batch_id": "b", "recipient": "1234",
             "code": 0, "status": "Delivered", "at": "yesterday" }"#
    )
    .contains("not a Sinch delivery report"));
    assert_eq!(
        error(
            r#"{ "type": "recipient_delivery_report_sms", "batch_id": "  ", "recipient": "1234",
                 "code": 0, "status": "Delivered", "at": "2024-01-01T00:00:00Z" }"#
        ),
        "batch_id is empty"
    );
    assert!(error(
        r#"{ "type": "delivery_report_sms", "batch_id": "b",
             "statuses": [ { "code": 0, "status": "Delivered", "count": 1, "recipients": ["call me"] } ] }"#
    )
    .starts_with("invalid recipient"));
}

#[test]
fn nul_characters_which_postgres_cannot_store_are_refused() {
    for (field, body) in [
        (
            "batch_id",
            r#"{ "type": "recipient_delivery_report_sms", "batch_id": "a\u0000b", "recipient": "1234", "code": 0, "status": "Delivered", "at": "2024-01-01T00:00:00Z" }"#,
        ),
        (
            "client_reference",
            r#"{ "type": "recipient_delivery_report_sms", "batch_id": "b", "recipient": "1234", "code": 0, "status": "Delivered", "at": "2024-01-01T00:00:00Z", "client_reference": "$uid=1\u0000" }"#,
        ),
        (
            "status",
            r#"{ "type": "delivery_report_sms", "batch_id": "b", "statuses": [ { "code": 0, "status": "Deliv\u0000ered", "count": 1 } ] }"#,
        ),
        (
            "operator",
            r#"{ "type": "recipient_delivery_report_sms", "batch_id": "b", "recipient": "1234", "code": 0, "status": "Delivered", "at": "2024-01-01T00:00:00Z", "operator": "\u0000" }"#,
        ),
    ] {
        assert_eq!(
            error(body),
            format!("{field} contains a NUL character (\\u0000), which cannot be stored")
        );
    }
}

#[test]
fn an_overlong_client_reference_is_refused() {
    let body = format!(
        r#"{{ "type": "recipient_delivery_report_sms", "batch_id": "b", "recipient": "1234",
              "code": 0, "status": "Delivered", "at": "2024-01-01T00:00:00Z",
              "client_reference": "$uid={}" }}"#,
        "9".repeat(2048)
    );
    assert_eq!(
        error(&body),
        "client_reference is longer than 2048 characters"
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = SinchReport::from_json(&body);
    }

    #[test]
    fn arbitrary_field_values_never_panic(
        kind in prop::sample::select(vec![
            "recipient_delivery_report_sms", "recipient_delivery_report_mms",
            "delivery_report_sms", "delivery_report_mms",
        ]),
        batch_id in "\\PC{0,40}",
        recipient in "\\PC{0,20}",
        status in "\\PC{0,12}",
        code in any::<i64>(),
        reference in "\\PC{0,80}",
    ) {
        let body = serde_json::json!({
            "type": kind, "batch_id": batch_id, "recipient": recipient, "code": code,
            "status": status, "at": "2024-01-01T00:00:00Z", "client_reference": reference,
            "statuses": [ { "code": code, "status": status, "count": 1, "recipients": [recipient] } ],
        });
        let _ = SinchReport::from_json(body.to_string().as_bytes());
    }
}
