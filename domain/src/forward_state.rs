/// Where an event stands on its way to MoEngage (the `events.forward_state` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForwardState {
    /// Waiting for its first attempt.
    Pending,
    /// An attempt failed; another is scheduled.
    Retrying,
    /// MoEngage accepted it.
    Forwarded,
    /// Given up on: a dead letter, replayable.
    Dead,
    /// A dead letter someone chose to drop.
    Discarded,
    /// Never to be forwarded (a refused uid, a tenant that forwards nothing).
    Suppressed,
}

impl ForwardState {
    pub const ALL: [ForwardState; 6] = [
        Self::Pending,
        Self::Retrying,
        Self::Forwarded,
        Self::Dead,
        Self::Discarded,
        Self::Suppressed,
    ];

    /// How the state is stored, and written in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Retrying => "retrying",
            Self::Forwarded => "forwarded",
            Self::Dead => "dead",
            Self::Discarded => "discarded",
            Self::Suppressed => "suppressed",
        }
    }

    /// The state a stored code names; None for anything else.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.code() == code)
    }

    /// The state as people read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Retrying => "Retrying",
            Self::Forwarded => "Forwarded",
            Self::Dead => "Dead letter",
            Self::Discarded => "Discarded",
            Self::Suppressed => "Not forwarded",
        }
    }

    /// An attempt failed and what MoEngage said is worth showing.
    pub fn went_wrong(self) -> bool {
        matches!(self, Self::Retrying | Self::Dead | Self::Discarded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_from_its_code_and_serialises_as_it() {
        for state in ForwardState::ALL {
            assert_eq!(ForwardState::from_code(state.code()), Some(state));
            assert_eq!(
                serde_json::to_value(state).expect("JSON"),
                serde_json::json!(state.code())
            );
        }
        assert_eq!(ForwardState::from_code("lost"), None);
    }
}
