//! Sinch's HMAC callback signature, for tenants that have a signing secret.
//!
//! Sinch sends `x-sinch-webhook-signature`, the Base64 of
//! `HMAC-SHA256(secret, body + "." + nonce + "." + timestamp)`, with the nonce, timestamp
//! and algorithm in sibling headers. The
//! timestamp is not held to a window: whether Sinch re-signs its retries (for up to about
//! 23 hours) is undocumented, and a replayed report adds nothing because ingestion is
//! idempotent, so a window could only refuse legitimate retries.

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
}

/// Checks the signature over the raw body, in constant time.
pub fn verify(headers: &HeaderMap, body: &[u8], secret: &str) -> Result<(), SignatureError> {
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
        .map_err(|_| SignatureError::Mismatch)
}

/// The signature Sinch puts on a callback; the Sinch simulator signs with it.
pub fn sign(secret: &str, body: &[u8], nonce: &str, timestamp: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(mac(secret, body, nonce, timestamp).finalize().into_bytes())
}

/// The headers of a callback signed as Sinch signs it, with a fresh nonce and the time
/// now: what the Sinch simulator and the console's test report send.
pub fn signed_headers(secret: &str, body: &[u8]) -> [(&'static str, String); 4] {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let nonce = format!(
        "{:016x}",
        crate::sim::sinch_traffic::Rng::new(nanos as u64).next_u64()
    );
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
    fn a_correct_signature_verifies() {
        assert_eq!(verify(&signed(GOOD), BODY, SECRET), Ok(()));
        assert_eq!(
            sign(SECRET, BODY, "01FJA8B4A7BM43YGWSG9GBV067", "1634579353"),
            GOOD
        );
    }

    #[test]
    fn a_changed_body_secret_or_nonce_fails() {
        assert_eq!(
            verify(&signed(GOOD), b"{}", SECRET),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&signed(GOOD), BODY, "other"),
            Err(SignatureError::Mismatch)
        );
        let mut headers = signed(GOOD);
        headers.insert(NONCE, HeaderValue::from_static("another-nonce"));
        assert_eq!(
            verify(&headers, BODY, SECRET),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&signed("not base64!"), BODY, SECRET),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn missing_headers_and_other_algorithms_are_named() {
        let mut headers = signed(GOOD);
        headers.remove(TIMESTAMP);
        assert_eq!(
            verify(&headers, BODY, SECRET),
            Err(SignatureError::Missing(TIMESTAMP))
        );
        let mut headers = signed(GOOD);
        headers.insert(ALGORITHM, HeaderValue::from_static("HmacSHA1"));
        assert_eq!(
            verify(&headers, BODY, SECRET),
            Err(SignatureError::Algorithm("HmacSHA1".into()))
        );
    }
}
