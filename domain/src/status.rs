use std::fmt;

use crate::EventKind;

/// A Sinch delivery status. Sinch adds statuses over time, so an unrecognised one is kept
/// as sent (and stored, never refused) rather than being an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    Queued,
    Dispatched,
    Aborted,
    Cancelled,
    Rejected,
    Deleted,
    Delivered,
    Failed,
    Expired,
    Unknown,
    Unrecognised(String),
}

const KNOWN: &[(&str, DeliveryStatus)] = &[
    ("Queued", DeliveryStatus::Queued),
    ("Dispatched", DeliveryStatus::Dispatched),
    ("Aborted", DeliveryStatus::Aborted),
    ("Cancelled", DeliveryStatus::Cancelled),
    ("Rejected", DeliveryStatus::Rejected),
    ("Deleted", DeliveryStatus::Deleted),
    ("Delivered", DeliveryStatus::Delivered),
    ("Failed", DeliveryStatus::Failed),
    ("Expired", DeliveryStatus::Expired),
    ("Unknown", DeliveryStatus::Unknown),
];

impl DeliveryStatus {
    /// Case-insensitive; never fails.
    pub fn parse(raw: &str) -> Self {
        let raw = raw.trim();
        KNOWN
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(raw))
            .map(|(_, status)| status.clone())
            .unwrap_or_else(|| Self::Unrecognised(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Unrecognised(raw) => raw,
            known => KNOWN
                .iter()
                .find(|(_, status)| status == known)
                .map_or("", |(name, _)| name),
        }
    }

    /// Sinch sends no further status for a message after a final one.
    pub fn is_final(&self) -> bool {
        match self {
            Self::Queued | Self::Dispatched | Self::Unrecognised(_) => false,
            Self::Aborted
            | Self::Cancelled
            | Self::Rejected
            | Self::Deleted
            | Self::Delivered
            | Self::Failed
            | Self::Expired
            | Self::Unknown => true,
        }
    }

    /// The MoEngage event this status becomes, if any.
    ///
    /// Queued is only the REST API's bookkeeping. Unknown means the operator never sent a
    /// readable receipt: claiming either "delivered" or "failed" would be a guess, and
    /// "sent" is already reported by the Dispatched that precedes it, so it is stored and
    /// shown but not forwarded. Unrecognised statuses are stored for a person to judge.
    pub fn event(&self) -> Option<EventKind> {
        match self {
            Self::Dispatched => Some(EventKind::Sent),
            Self::Delivered => Some(EventKind::Delivered),
            Self::Aborted
            | Self::Cancelled
            | Self::Rejected
            | Self::Deleted
            | Self::Failed
            | Self::Expired => Some(EventKind::DeliveryFailed),
            Self::Queued | Self::Unknown | Self::Unrecognised(_) => None,
        }
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_events_as_the_domain_table_says() {
        let cases = [
            ("Dispatched", Some(EventKind::Sent)),
            ("Delivered", Some(EventKind::Delivered)),
            ("Aborted", Some(EventKind::DeliveryFailed)),
            ("Cancelled", Some(EventKind::DeliveryFailed)),
            ("Rejected", Some(EventKind::DeliveryFailed)),
            ("Deleted", Some(EventKind::DeliveryFailed)),
            ("Failed", Some(EventKind::DeliveryFailed)),
            ("Expired", Some(EventKind::DeliveryFailed)),
            ("Queued", None),
            ("Unknown", None),
        ];
        for (raw, event) in cases {
            assert_eq!(DeliveryStatus::parse(raw).event(), event, "{raw}");
        }
    }

    #[test]
    fn parsing_ignores_case_and_keeps_the_canonical_name() {
        let status = DeliveryStatus::parse(" delivered ");
        assert_eq!(status, DeliveryStatus::Delivered);
        assert_eq!(status.as_str(), "Delivered");
    }

    #[test]
    fn a_status_sinch_adds_later_is_kept_not_refused() {
        let status = DeliveryStatus::parse("Throttled");
        assert_eq!(status, DeliveryStatus::Unrecognised("Throttled".into()));
        assert_eq!(status.as_str(), "Throttled");
        assert_eq!(status.event(), None);
        assert!(!status.is_final());
    }

    #[test]
    fn only_queued_and_dispatched_are_intermediate() {
        for (name, status) in KNOWN {
            let intermediate =
                matches!(status, DeliveryStatus::Queued | DeliveryStatus::Dispatched);
            assert_eq!(status.is_final(), !intermediate, "{name}");
        }
    }
}
