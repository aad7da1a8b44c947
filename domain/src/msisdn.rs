use std::fmt;

/// A recipient's phone number in E.164 form (`+` and up to 15 digits). Sinch's own samples
/// show recipients with and without the `+`; both normalise to the same value, so a
/// message is the same message whichever form a report uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Msisdn(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MsisdnError {
    #[error("the phone number `{0}` holds characters other than digits")]
    NotDigits(String),
    #[error("the phone number `{0}` has {1} digits; expected 3 to 15")]
    Length(String, usize),
}

impl Msisdn {
    pub fn parse(raw: &str) -> Result<Self, MsisdnError> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '(' | ')' | '.'))
            .collect();
        let digits = compact.strip_prefix('+').unwrap_or(&compact);
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(MsisdnError::NotDigits(raw.to_owned()));
        }
        if !(3..=15).contains(&digits.len()) {
            return Err(MsisdnError::Length(raw.to_owned(), digits.len()));
        }
        Ok(Self(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For people who may not see phone numbers: the country prefix and the last two
    /// digits stay, enough to tell numbers apart in a list.
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let shown_head = (digits.len() / 4).min(3);
        let shown_tail = if digits.len() > 6 { 2 } else { 1 };
        let hidden = digits.len() - shown_head - shown_tail;
        format!(
            "+{}{}{}",
            &digits[..shown_head],
            "•".repeat(hidden),
            &digits[digits.len() - shown_tail..]
        )
    }
}

impl fmt::Display for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn with_and_without_plus_are_the_same_number() {
        assert_eq!(Msisdn::parse("+44231235674"), Msisdn::parse("44231235674"));
        assert_eq!(
            Msisdn::parse(" +44 (0) 231-235.674").map(|m| m.to_string()),
            Ok("+440231235674".to_owned())
        );
    }

    #[test]
    fn letters_and_impossible_lengths_are_refused() {
        assert!(matches!(
            Msisdn::parse("+44abc"),
            Err(MsisdnError::NotDigits(_))
        ));
        assert!(matches!(
            Msisdn::parse("+12"),
            Err(MsisdnError::Length(_, 2))
        ));
        assert!(matches!(
            Msisdn::parse("+1234567890123456"),
            Err(MsisdnError::Length(_, 16))
        ));
    }

    #[test]
    fn masking_keeps_the_prefix_and_the_last_digits() {
        let number = Msisdn::parse("+44231235674").expect("valid");
        assert_eq!(number.masked(), "+44•••••••74");
    }

    proptest! {
        #[test]
        fn masking_never_reveals_more_than_half_the_digits(digits in "[0-9]{3,15}") {
            let number = Msisdn::parse(&digits).expect("valid");
            let masked = number.masked();
            let shown = masked.chars().filter(char::is_ascii_digit).count();
            prop_assert!(shown * 2 <= digits.len(), "{masked}");
            prop_assert_eq!(masked.chars().count(), digits.len() + 1);
        }
    }
}
