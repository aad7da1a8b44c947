//! Building links whose query strings carry a page's filters.

/// Percent-encodes a value for a query string (unreserved characters stay as they are).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_characters_are_escaped() {
        assert_eq!(encode("+44 77&x=1"), "%2B44%2077%26x%3D1");
        assert_eq!(encode("AcMe-01_~."), "AcMe-01_~.");
    }
}
