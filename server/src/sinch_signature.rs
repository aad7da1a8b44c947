//! Sinch's HMAC callback signature, for tenants that have a signing secret: checked by the
//! webhook, made by the console's test report and the Sinch simulator (one module, so the
//! three cannot drift apart).
//!
//! Sinch sends `x-sinch-webhook-signature`, the Base64 of
//! `HMAC-SHA256(secret, body + "." + nonce + "." + timestamp)`, with the nonce, timestamp
//! and algorithm in sibling headers. The timestamp (Unix seconds) must be within a
//! tolerance of now (`DLRHUB_SIGNATURE_TOLERANCE_SECS`, a day by default): Sinch retries for
//! up to about 23 hours and whether it signs a retry anew is undocumented, so the window is
//! wide; it refuses replays of captures older than that (a replay within it adds nothing,
//! ingestion being idempotent).

use axum::http::HeaderMap;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const SIGNATURE: &str = "x-sinch-webhook-signature";
const TIMESTAMP: &str = "x-sinch-webhook-timestamp";
const NONCE: &str = "x-sinch-webhook-nonce";
const ALGORITHM: &str = "x-sinch-webhook-algorithm";

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the {0} header is missing")]
    Missing(&'static str),
    #[error("the signature algorithm `{0}` is not supported; expected HmacSHA256")]
    Algorithm(String),
    #[error("the signature does not match the body")]
    Mismatch,
    #[error("the x-sinch-webhook-timestamp `{0}` is not a Unix time in seconds")]
    Timestamp(String),
    #[error("the signature's timestamp is {age_secs} s from now, outside the {tolerance_secs} s accepted (a replayed or delayed callback)")]
    OutsideWindow { age_secs: i64, tolerance_secs: u64 },
}

/// Checks the signature over the raw body, in constant time, then that its timestamp is
/// within `tolerance` of `now` (any time when None). The time is looked at only once the
/// signature holds, so the answer tells nothing to whoever cannot sign.
pub fn verify(
    headers: &HeaderMap,
    body: &[u8],
    secret: &str,
    tolerance: Option<std::time::Duration>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), SignatureError> {
    let header = |name: &'static str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .ok_or(SignatureError::Missing(name))
    };
    let signature = header(SIGNATURE)?;
    let timestamp = header(TIMESTAMP)?;
    let nonce = header(NONCE)?;
    // Sinch names the algorithm; when the header is absent it means its only one.
    if let Ok(algorithm) = header(ALGORITHM) {
        if !algorithm.eq_ignore_ascii_case("HmacSHA256") {
            return Err(SignatureError::Algorithm(algorithm.to_owned()));
        }
    }
    let expected = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .map_err(|_| SignatureError::Mismatch)?;
    mac(secret, body, nonce, timestamp)
        .verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)?;
    let Some(tolerance) = tolerance else {
        return Ok(());
    };
    let signed_at: i64 = timestamp
        .parse()
        .map_err(|_| SignatureError::Timestamp(timestamp.chars().take(40).collect()))?;
    let age_secs = now.timestamp().saturating_sub(signed_at);
    if age_secs.unsigned_abs() > tolerance.as_secs() {
        return Err(SignatureError::OutsideWindow {
            age_secs,
            tolerance_secs: tolerance.as_secs(),
        });
    }
    Ok(())
}

/// The signature Sinch puts on a callback; the Sinch simulator signs with it.
pub fn sign(secret: &str, body: &[u8], nonce: &str, timestamp: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(mac(secret, body, nonce, timestamp).finalize().into_bytes())
}

/// The headers of a callback signed as Sinch signs it, with a fresh nonce and the time
/// now: what the Sinch simulator and the console's test report send.
pub fn signed_headers(secret: &str, body: &[u8]) -> [(&'static str, String); 4] {
    // Random when the OS can say; the time in nanoseconds otherwise (a nonce only has to
    // differ between callbacks).
    let nonce = store::cipher::random_token(16).unwrap_or_else(|_| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{nanos:032x}")
    });
    let timestamp = chrono::Utc::now().timestamp().to_string();
    [
        (SIGNATURE, sign(secret, body, &nonce, &timestamp)),
        (TIMESTAMP, timestamp),
        (NONCE, nonce),
        (ALGORITHM, "HmacSHA256".to_owned()),
    ]
}

fn mac(secret: &str, body: &[u8], nonce: &str, timestamp: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(body);
    mac.update(b".");
    mac.update(nonce.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use chrono::Utc;

    use super::*;

    const BODY: &[u8] = br#"{"type":"recipient_delivery_report_sms"}"#;
    const SECRET: &str = "foo_secret1234";

    /// Computed independently (Python's hmac module) from Sinch's documented formula.
    fn signed(signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            (SIGNATURE, signature),
            (TIMESTAMP, "1634579353"),
            (NONCE, "01FJA8B4A7BM43YGWSG9GBV067"),
            (ALGORITHM, "HmacSHA256"),
        ] {
            headers.insert(name, HeaderValue::from_str(value).expect("a header value"));
        }
        headers
    }

    const GOOD: &str = "WUa26E0Fx7tP7KVi71zg+viL9j1iE0vvqCQfqtyQf2Q=";

    #[test]
    fn the_timestamp_must_be_within_the_tolerance_once_the_signature_holds() {
        let signed_at = chrono::DateTime::from_timestamp(1_634_579_353, 0).expect("a time");
        let day = Some(std::time::Duration::from_secs(86_400));
        let within = signed_at + chrono::Duration::hours(23);
        assert_eq!(verify(&signed(GOOD), BODY, SECRET, day, within), Ok(()));
        let later = signed_at + chrono::Duration::hours(25);
        assert_eq!(
            verify(&signed(GOOD), BODY, SECRET, day, later),
            Err(SignatureError::OutsideWindow {
                age_secs: 25 * 3600,
                tolerance_secs: 86_400
            })
        );
        let before = signed_at - chrono::Duration::hours(25);
        assert!(
            verify(&signed(GOOD), BODY, SECRET, day, before).is_err(),
            "from the future"
        );
        assert_eq!(
            verify(&signed(GOOD), b"{}", SECRET, day, later),
            Err(SignatureError::Mismatch),
            "a wrong signature is told first"
        );
    }

    #[test]
    fn a_correct_signature_verifies() {
        assert_eq!(
            verify(&signed(GOOD), BODY, SECRET, None, Utc::now()),
            Ok(())
        );
        assert_eq!(
            sign(SECRET, BODY, "01FJA8B4A7BM43YGWSG9GBV067", "1634579353"),
            GOOD
        );
    }

    #[test]
    fn a_changed_body_secret_or_nonce_fails() {
        assert_eq!(
            verify(&signed(GOOD), b"{}", SECRET, None, Utc::now()),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&signed(GOOD), BODY, "other", None, Utc::now()),
            Err(SignatureError::Mismatch)
        );
        let mut headers = signed(GOOD);
        headers.insert(NONCE, HeaderValue::from_static("another-nonce"));
        assert_eq!(
            verify(&headers, BODY, SECRET, None, Utc::now()),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&signed("not base64!"), BODY, SECRET, None, Utc::now()),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn missing_headers_and_other_algorithms_are_named() {
        let mut headers = signed(GOOD);
        headers.remove(TIMESTAMP);
        assert_eq!(
            verify(&headers, BODY, SECRET, None, Utc::now()),
            Err(SignatureError::Missing(TIMESTAMP))
        );
        let mut headers = signed(GOOD);
        headers.insert(ALGORITHM, HeaderValue::from_static("HmacSHA1"));
        assert_eq!(
            verify(&headers, BODY, SECRET, None, Utc::now()),
            Err(SignatureError::Algorithm("HmacSHA1".into()))
        );
    }
}
