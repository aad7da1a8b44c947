use std::fmt;

/// A MoEngage customer_id: the `uid` a customer puts in `client_reference`, naming the user
/// profile an event belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct CustomerId(String);

/// Why a report's uid cannot be used. Such reports are stored as rejected, never forwarded:
/// MoEngage would refuse them, or create a bogus user and inflate the workspace's count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UidRejection {
    #[error("client_reference has no uid")]
    Missing,
    #[error("the uid `{0}` is a placeholder MoEngage refuses as a customer id")]
    Refused(String),
    #[error("the uid is longer than {max} characters")]
    TooLong { max: usize },
}

impl UidRejection {
    /// A stable, short code for storage, metrics and grouping in the console.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "missing_uid",
            Self::Refused(_) => "refused_uid",
            Self::TooLong { .. } => "uid_too_long",
        }
    }
}

/// Values MoEngage refuses as ids (its documentation lists these "and a few more"), compared
/// case-insensitively after trimming.
const REFUSED: &[&str] = &[
    "unknown",
    "guest",
    "null",
    "nil",
    "undefined",
    "0",
    "1",
    "2",
    "-1",
    "-2",
    "true",
    "false",
    "na",
    "n/a",
    "none",
    "id",
    "uid",
    "userid",
    "user_id",
    "customer_id",
    "customerid",
    "(empty)",
    "empty",
    "[]",
    "{}",
];

impl CustomerId {
    pub const MAX_LEN: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, UidRejection> {
        let uid = raw.trim();
        if uid.is_empty() {
            return Err(UidRejection::Missing);
        }
        if REFUSED
            .iter()
            .any(|refused| uid.eq_ignore_ascii_case(refused))
        {
            return Err(UidRejection::Refused(uid.to_owned()));
        }
        if uid.chars().count() > Self::MAX_LEN {
            return Err(UidRejection::TooLong { max: Self::MAX_LEN });
        }
        Ok(Self(uid.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_id_is_kept_as_sent_but_trimmed() {
        let id = CustomerId::parse(" 123456789759339206 ").expect("valid");
        assert_eq!(id.as_str(), "123456789759339206");
    }

    #[test]
    fn placeholders_are_refused_whatever_their_case() {
        for placeholder in [
            "unknown", "NULL", "Guest", "0", "-1", "N/A", "user_id", "(empty)",
        ] {
            assert_eq!(
                CustomerId::parse(placeholder),
                Err(UidRejection::Refused(placeholder.to_owned())),
                "{placeholder}"
            );
        }
    }

    #[test]
    fn ids_that_merely_contain_a_placeholder_are_fine() {
        assert!(CustomerId::parse("10").is_ok());
        assert!(CustomerId::parse("unknown-user-7").is_ok());
    }

    #[test]
    fn empty_and_overlong_ids_are_rejected_with_their_reason() {
        assert_eq!(CustomerId::parse("  "), Err(UidRejection::Missing));
        assert_eq!(
            CustomerId::parse(&"7".repeat(257)),
            Err(UidRejection::TooLong { max: 256 })
        );
    }
}
