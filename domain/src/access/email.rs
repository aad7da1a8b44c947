use std::fmt;

use serde::{Deserialize, Serialize};

/// A user's email address, trimmed and lower-cased so one address is one account.
///
/// Deliberately lenient (one `@`, something on both sides, no spaces): the address is a
/// login name here, nothing is ever sent to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("enter an email address")]
    Empty,
    #[error("an email address has at most {max} characters")]
    TooLong { max: usize },
    #[error("enter an email address like name@example.com")]
    Malformed,
}

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(EmailError::Empty);
        }
        if email.len() > Self::MAX_LEN {
            return Err(EmailError::TooLong { max: Self::MAX_LEN });
        }
        let well_formed = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !well_formed {
            return Err(EmailError::Malformed);
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        let email = Email::parse("  Ana.Lima@Example.COM ").expect("valid");
        assert_eq!(email.as_str(), "ana.lima@example.com");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        assert_eq!(Email::parse(" "), Err(EmailError::Empty));
        for raw in ["ana", "@example.com", "ana@", "a@b@c", "an a@example.com"] {
            assert_eq!(Email::parse(raw), Err(EmailError::Malformed), "{raw}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(matches!(
            Email::parse(&long),
            Err(EmailError::TooLong { .. })
        ));
    }
}
