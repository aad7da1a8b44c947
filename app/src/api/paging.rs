//! Keyset paging for the console's long lists: a page ends at an entry, and the next
//! (older) page starts just after it. The cursor travels in the URL as `<rfc3339>~<id>`.

use super::error::ApiError;
use chrono::{DateTime, Utc};

/// The cursor in a URL, or None for the first page; a malformed one is a 400.
pub fn parse_cursor(raw: &str) -> Result<Option<(DateTime<Utc>, i64)>, ApiError> {
    let malformed = || ApiError::invalid("form", "the page cursor is malformed");
    match raw.trim() {
        "" => Ok(None),
        raw => {
            let (at, id) = raw.split_once('~').ok_or_else(malformed)?;
            let at = DateTime::parse_from_rfc3339(at).map_err(|_| malformed())?;
            let id = id.parse::<i64>().map_err(|_| malformed())?;
            Ok(Some((at.with_timezone(&Utc), id)))
        }
    }
}

pub fn cursor_text(at: DateTime<Utc>, id: i64) -> String {
    format!("{}~{id}", at.to_rfc3339())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_was_written() {
        let at = DateTime::parse_from_rfc3339("2026-11-28T01:02:03.456Z")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(
            parse_cursor(&cursor_text(at, 42)).expect("parses"),
            Some((at, 42))
        );
        assert_eq!(parse_cursor("").expect("empty"), None);
    }
}
