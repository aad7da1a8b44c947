//! Building links whose query strings carry a page's filters.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986's unreserved characters.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a value for a query string (unreserved characters stay as they are).
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, QUERY_VALUE).to_string()
}

/// `name=value&...`, each value encoded.
pub fn query(params: &[(&str, String)]) -> String {
    params
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_characters_are_escaped() {
        assert_eq!(encode("+44 77&x=1"), "%2B44%2077%26x%3D1");
        assert_eq!(encode("AcMe-01_~."), "AcMe-01_~.");
        assert_eq!(encode("ö"), "%C3%B6");
        assert_eq!(
            query(&[("who", "a b".to_owned()), ("action", "x".to_owned())]),
            "who=a%20b&action=x"
        );
    }
}
