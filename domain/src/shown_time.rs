//! How times are written for people, in the console and at the command line alike: UTC,
//! to the minute where the second does not matter, to the second where it does.

use chrono::{DateTime, Utc};

/// `2026-11-28 10:00 UTC`.
pub fn to_minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `2026-11-28 10:00 UTC` for the hour starting then (a chart's bar).
pub fn to_hour(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:00 UTC").to_string()
}

/// `2026-11-28 10:00:07 UTC`.
pub fn to_second(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_utc() {
        let at = DateTime::parse_from_rfc3339("2026-11-28T11:00:07+01:00")
            .expect("a time")
            .with_timezone(&Utc);
        assert_eq!(to_minute(at), "2026-11-28 10:00 UTC");
        assert_eq!(to_second(at), "2026-11-28 10:00:07 UTC");
        assert_eq!(
            to_hour(at + chrono::Duration::minutes(30)),
            "2026-11-28 10:00 UTC"
        );
    }
}
