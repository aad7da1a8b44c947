use super::Email;

/// A password that meets the policy: at least 12 characters, not the user's email, and
/// short enough that hashing it cannot be used to burn CPU.
pub struct NewPassword(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejection {
    #[error("use at least {min} characters")]
    TooShort { min: usize },
    #[error("use at most {max} characters")]
    TooLong { max: usize },
    #[error("the password cannot be your email address")]
    SameAsEmail,
}

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: String, email: &Email) -> Result<Self, PasswordRejection> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(PasswordRejection::TooShort {
                min: Self::MIN_CHARS,
            });
        }
        if chars > Self::MAX_CHARS {
            return Err(PasswordRejection::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        if raw.trim().to_lowercase() == email.as_str() {
            return Err(PasswordRejection::SameAsEmail);
        }
        Ok(Self(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("ana@example.com").expect("valid")
    }

    #[test]
    fn twelve_characters_are_enough() {
        assert!(NewPassword::parse("correct hors".into(), &email()).is_ok());
        assert_eq!(
            NewPassword::parse("eleven chars".chars().take(11).collect(), &email()).err(),
            Some(PasswordRejection::TooShort { min: 12 })
        );
    }

    #[test]
    fn characters_not_bytes_are_counted() {
        // Eleven two-byte characters are still eleven characters.
        assert!(NewPassword::parse("é".repeat(11), &email()).is_err());
        assert!(NewPassword::parse("é".repeat(12), &email()).is_ok());
    }

    #[test]
    fn the_email_is_not_a_password() {
        assert_eq!(
            NewPassword::parse("Ana@Example.com".into(), &email()).err(),
            Some(PasswordRejection::SameAsEmail)
        );
    }

    #[test]
    fn very_long_passwords_are_refused() {
        assert!(NewPassword::parse("x".repeat(257), &email()).is_err());
    }
}
