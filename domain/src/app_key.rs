use std::fmt;

/// A MoEngage workspace id (the seed's "app_key"): the last segment of a tenant's callback
/// URL. Not a secret; MoEngage shows it under Settings → General.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct AppKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppKeyError {
    #[error("the workspace id is empty")]
    Empty,
    #[error("the workspace id is longer than {max} characters")]
    TooLong { max: usize },
    #[error("the workspace id may hold only letters, digits, `-` and `_`")]
    InvalidCharacter,
}

impl AppKey {
    pub const MAX_LEN: usize = 64;

    /// Accepts what MoEngage workspace ids look like (letters and digits, sometimes `_` or
    /// `-`), trimmed. Anything else could not be pasted into a URL path unchanged.
    pub fn parse(raw: &str) -> Result<Self, AppKeyError> {
        let key = raw.trim();
        if key.is_empty() {
            return Err(AppKeyError::Empty);
        }
        if key.len() > Self::MAX_LEN {
            return Err(AppKeyError::TooLong { max: Self::MAX_LEN });
        }
        if !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(AppKeyError::InvalidCharacter);
        }
        Ok(Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AppKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typical_workspace_id_is_accepted_trimmed() {
        let key = AppKey::parse("  5RKCXB2TQ8GK3ZAPRTP1YLT7 ").expect("valid");
        assert_eq!(key.as_str(), "5RKCXB2TQ8GK3ZAPRTP1YLT7");
    }

    #[test]
    fn ids_that_would_break_a_url_path_are_refused() {
        assert_eq!(AppKey::parse(""), Err(AppKeyError::Empty));
        assert_eq!(AppKey::parse("a/b"), Err(AppKeyError::InvalidCharacter));
        assert_eq!(AppKey::parse("a b"), Err(AppKeyError::InvalidCharacter));
        assert_eq!(AppKey::parse("ü"), Err(AppKeyError::InvalidCharacter));
        assert_eq!(
            AppKey::parse(&"A".repeat(65)),
            Err(AppKeyError::TooLong { max: 64 })
        );
    }
}
