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

/// Characters that may sit between the digits of one written phone number ("+44 7700
/// 900123", "+1 (555) 123-4567"): the ones [`Msisdn::parse`] accepts.
const SEPARATORS: [char; 5] = [' ', '-', '(', ')', '.'];

/// Free text (a malformed body's excerpt, an error message quoting a number) as someone
/// who may not see phone numbers reads it: every run of 7 or more digits, separators
/// between them allowed, keeps only its last two digits. Shorter runs (status codes,
/// counts, a column number) and ISO dates stay as they are, so the text still says what
/// went wrong.
pub fn mask_numbers_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < chars.len() {
        if !chars[at].is_ascii_digit() {
            out.push(chars[at]);
            at += 1;
            continue;
        }
        let end = number_end(&chars, at);
        let run = &chars[at..end];
        let digits = run.iter().filter(|c| c.is_ascii_digit()).count();
        if digits >= 7 && !is_iso_date(run) {
            let mut seen = 0;
            out.extend(run.iter().map(|&c| {
                if !c.is_ascii_digit() {
                    return c;
                }
                seen += 1;
                if seen > digits - 2 {
                    c
                } else {
                    '•'
                }
            }));
        } else {
            out.extend(run);
        }
        at = end;
    }
    out
}

/// Where the number starting at `start` (a digit) ends: digits, and at most two
/// separators at a time when a digit follows them.
fn number_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    let mut at = start;
    while at < chars.len() {
        if chars[at].is_ascii_digit() {
            at += 1;
            end = at;
            continue;
        }
        let gap = chars[at..]
            .iter()
            .take(3)
            .take_while(|c| SEPARATORS.contains(c))
            .count();
        if (1..=2).contains(&gap) && chars.get(at + gap).is_some_and(char::is_ascii_digit) {
            at += gap;
        } else {
            break;
        }
    }
    end
}

/// `2026-11-27`: a date, not a number to hide.
fn is_iso_date(run: &[char]) -> bool {
    run.len() == 10
        && run.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == '-',
            _ => c.is_ascii_digit(),
        })
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

    #[test]
    fn numbers_in_free_text_keep_only_their_last_two_digits() {
        let error = MsisdnError::Length("+46701234567890123".to_owned(), 17).to_string();
        assert_eq!(
            mask_numbers_in(&error),
            "the phone number `+•••••••••••••••23` has 17 digits; expected 3 to 15"
        );
        assert_eq!(
            mask_numbers_in(
                r#"{"recipient": "+44 7700 900123", "code": 401, "at": "2026-11-27T10:00:00Z""#
            ),
            r#"{"recipient": "+•• •••• ••••23", "code": 401, "at": "2026-11-27T10:00:00Z""#
        );
        assert_eq!(
            mask_numbers_in(
                "invalid type: integer `46701234567`, expected a string at line 1 column 245"
            ),
            "invalid type: integer `•••••••••67`, expected a string at line 1 column 245"
        );
        assert_eq!(mask_numbers_in("+1 (555) 123-4567"), "+• (•••) •••-••67");
        assert_eq!(mask_numbers_in("batch 123456 of 7"), "batch 123456 of 7");
    }

    proptest! {
        #[test]
        fn free_text_never_shows_more_than_two_digits_of_a_number(
            before in "[a-z :\"`]{0,12}",
            digits in "[0-9]{7,15}",
            after in "[a-z :\"`]{0,12}",
        ) {
            let masked = mask_numbers_in(&format!("{before}+{digits}{after}"));
            let shown = masked.chars().filter(char::is_ascii_digit).count();
            prop_assert_eq!(shown, 2, "{}", masked);
        }

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
