/// The MoEngage events dlrhub creates from Sinch statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Sent,
    Delivered,
    DeliveryFailed,
}

impl EventKind {
    /// The event name as MoEngage shows it on the user profile.
    pub fn action_name(self) -> &'static str {
        match self {
            Self::Sent => "SMS Sent",
            Self::Delivered => "SMS Delivered",
            Self::DeliveryFailed => "SMS Delivery Failed",
        }
    }

    /// Delivered and failed end a message's story; a message gets at most one of them.
    pub fn is_final(self) -> bool {
        match self {
            Self::Sent => false,
            Self::Delivered | Self::DeliveryFailed => true,
        }
    }
}
