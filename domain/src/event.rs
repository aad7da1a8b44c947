/// The MoEngage events dlrhub creates from Sinch statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Sent,
    Delivered,
    DeliveryFailed,
}

impl EventKind {
    pub const ALL: [EventKind; 3] = [Self::Sent, Self::Delivered, Self::DeliveryFailed];

    /// The event name as MoEngage shows it on the user profile.
    pub fn action_name(self) -> &'static str {
        match self {
            Self::Sent => "SMS Sent",
            Self::Delivered => "SMS Delivered",
            Self::DeliveryFailed => "SMS Delivery Failed",
        }
    }

    /// How the event's kind is stored (the `events.kind` column).
    pub fn code(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::DeliveryFailed => "delivery_failed",
        }
    }

    /// The kind a stored code names; None for anything else.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// Delivered and failed end a message's story; a message gets at most one of them.
    pub fn is_final(self) -> bool {
        match self {
            Self::Sent => false,
            Self::Delivered | Self::DeliveryFailed => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_stored_code() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(EventKind::from_code("bounced"), None);
    }
}
