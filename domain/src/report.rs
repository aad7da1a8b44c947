//! Sinch delivery report callbacks, as Sinch's SMS REST API sends them.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::{ClientReference, DeliveryStatus, Msisdn, MsisdnError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Mms,
}

/// One delivery report, validated, with what it says about each message.
#[derive(Debug, Clone, PartialEq)]
pub struct SinchReport {
    pub channel: Channel,
    /// A per-recipient report (`recipient_delivery_report_*`) rather than a batch report.
    pub per_recipient: bool,
    pub batch_id: String,
    /// As sent, for display; `client_reference` is its parsed form.
    pub client_reference_raw: Option<String>,
    pub client_reference: ClientReference,
    pub observations: Vec<Observation>,
}

/// One status of one message (or, in a summary report, of `count` messages).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Absent in summary batch reports, which list counts but no recipients.
    pub recipient: Option<Msisdn>,
    pub status: DeliveryStatus,
    pub code: i64,
    pub count: u64,
    /// When Sinch recorded the status; batch reports carry none.
    pub at: Option<DateTime<Utc>>,
    pub operator_status_at: Option<DateTime<Utc>>,
    pub operator: Option<String>,
}

/// Why a body is not a delivery report dlrhub can store. Sinch never retries a 4xx, so
/// these are answered 400 with this text and kept in the malformed-calls record.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the body is not a Sinch delivery report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("batch_id is empty")]
    EmptyBatchId,
    #[error("batch_id is longer than {max} characters")]
    BatchIdTooLong { max: usize },
    #[error("invalid recipient: {0}")]
    Recipient(#[from] MsisdnError),
    #[error("client_reference is longer than {max} characters")]
    ClientReferenceTooLong { max: usize },
    #[error("{0} contains a NUL character (\\u0000), which cannot be stored")]
    NulCharacter(&'static str),
}

/// PostgreSQL text cannot hold NUL: such a report could never be stored, and answering
/// 503 would make Sinch retry it for a day. It is refused as malformed instead.
fn reject_nul(field: &'static str, value: &str) -> Result<(), ReportError> {
    if value.contains('\0') {
        return Err(ReportError::NulCharacter(field));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum Wire {
    #[serde(rename = "recipient_delivery_report_sms")]
    RecipientSms(WireRecipientReport),
    #[serde(rename = "recipient_delivery_report_mms")]
    RecipientMms(WireRecipientReport),
    #[serde(rename = "delivery_report_sms")]
    BatchSms(WireBatchReport),
    #[serde(rename = "delivery_report_mms")]
    BatchMms(WireBatchReport),
}

#[derive(Deserialize)]
struct WireRecipientReport {
    batch_id: String,
    recipient: String,
    code: i64,
    status: String,
    at: DateTime<Utc>,
    operator_status_at: Option<DateTime<Utc>>,
    client_reference: Option<String>,
    operator: Option<String>,
}

#[derive(Deserialize)]
struct WireBatchReport {
    batch_id: String,
    client_reference: Option<String>,
    statuses: Vec<WireStatus>,
}

#[derive(Deserialize)]
struct WireStatus {
    code: i64,
    status: String,
    count: u64,
    /// Present in `full` reports, absent in `summary` ones.
    recipients: Option<Vec<String>>,
}

const MAX_BATCH_ID_LEN: usize = 128;

impl SinchReport {
    pub fn from_json(body: &[u8]) -> Result<Self, ReportError> {
        match serde_json::from_slice::<Wire>(body)? {
            Wire::RecipientSms(report) => Self::from_recipient_report(Channel::Sms, report),
            Wire::RecipientMms(report) => Self::from_recipient_report(Channel::Mms, report),
            Wire::BatchSms(report) => Self::from_batch_report(Channel::Sms, report),
            Wire::BatchMms(report) => Self::from_batch_report(Channel::Mms, report),
        }
    }

    fn from_recipient_report(
        channel: Channel,
        wire: WireRecipientReport,
    ) -> Result<Self, ReportError> {
        reject_nul("status", &wire.status)?;
        reject_nul("operator", wire.operator.as_deref().unwrap_or_default())?;
        let observation = Observation {
            recipient: Some(Msisdn::parse(&wire.recipient)?),
            status: DeliveryStatus::parse(&wire.status),
            code: wire.code,
            count: 1,
            at: Some(wire.at),
            operator_status_at: wire.operator_status_at,
            operator: wire.operator.filter(|o| !o.trim().is_empty()),
        };
        Self::new(
            channel,
            true,
            wire.batch_id,
            wire.client_reference,
            vec![observation],
        )
    }

    /// A `full` report lists recipients: one observation each. A `summary` report lists
    /// only counts: one observation per status, carrying its count.
    fn from_batch_report(channel: Channel, wire: WireBatchReport) -> Result<Self, ReportError> {
        let mut observations = Vec::new();
        for entry in wire.statuses {
            reject_nul("status", &entry.status)?;
            let status = DeliveryStatus::parse(&entry.status);
            let observation = |recipient, count| Observation {
                recipient,
                status: status.clone(),
                code: entry.code,
                count,
                at: None,
                operator_status_at: None,
                operator: None,
            };
            match &entry.recipients {
                Some(recipients) if !recipients.is_empty() => {
                    for recipient in recipients {
                        observations.push(observation(Some(Msisdn::parse(recipient)?), 1));
                    }
                }
                _ => observations.push(observation(None, entry.count)),
            }
        }
        Self::new(
            channel,
            false,
            wire.batch_id,
            wire.client_reference,
            observations,
        )
    }

    fn new(
        channel: Channel,
        per_recipient: bool,
        batch_id: String,
        client_reference_raw: Option<String>,
        observations: Vec<Observation>,
    ) -> Result<Self, ReportError> {
        reject_nul("batch_id", &batch_id)?;
        reject_nul(
            "client_reference",
            client_reference_raw.as_deref().unwrap_or_default(),
        )?;
        let batch_id = batch_id.trim().to_owned();
        if batch_id.is_empty() {
            return Err(ReportError::EmptyBatchId);
        }
        if batch_id.chars().count() > MAX_BATCH_ID_LEN {
            return Err(ReportError::BatchIdTooLong {
                max: MAX_BATCH_ID_LEN,
            });
        }
        if let Some(raw) = &client_reference_raw {
            if raw.chars().count() > ClientReference::MAX_LEN {
                return Err(ReportError::ClientReferenceTooLong {
                    max: ClientReference::MAX_LEN,
                });
            }
        }
        let client_reference = client_reference_raw
            .as_deref()
            .map(ClientReference::parse)
            .unwrap_or_default();
        Ok(Self {
            channel,
            per_recipient,
            batch_id,
            client_reference_raw,
            client_reference,
            observations,
        })
    }
}

#[cfg(test)]
mod tests;
