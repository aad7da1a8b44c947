//! HTTP Basic credentials, compared in constant time.

use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use base64::Engine;
use subtle::ConstantTimeEq;

/// Whether the request carries exactly these credentials. Both parts are always compared,
/// so the time taken does not tell which part was wrong.
pub fn presents(headers: &HeaderMap, username: &str, password: &str) -> bool {
    let Some((given_user, given_password)) = credentials(headers) else {
        return false;
    };
    let user_matches = given_user.as_bytes().ct_eq(username.as_bytes());
    let password_matches = given_password.as_bytes().ct_eq(password.as_bytes());
    (user_matches & password_matches).into()
}

fn credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(value).expect("a header value"),
        );
        headers
    }

    #[test]
    fn the_right_credentials_are_accepted() {
        // "sinch-ab:p:w" — the password may itself contain a colon.
        assert!(presents(
            &headers("Basic c2luY2gtYWI6cDp3"),
            "sinch-ab",
            "p:w"
        ));
        assert!(presents(
            &headers("basic c2luY2gtYWI6cDp3"),
            "sinch-ab",
            "p:w"
        ));
    }

    #[test]
    fn anything_else_is_refused() {
        assert!(!presents(&HeaderMap::new(), "sinch-ab", "p:w"));
        assert!(!presents(
            &headers("Basic c2luY2gtYWI6cDp3"),
            "sinch-ab",
            "p:x"
        ));
        assert!(!presents(
            &headers("Basic c2luY2gtYWI6cDp3"),
            "sinch-ac",
            "p:w"
        ));
        assert!(!presents(
            &headers("Bearer c2luY2gtYWI6cDp3"),
            "sinch-ab",
            "p:w"
        ));
        assert!(!presents(&headers("Basic not-base64!"), "sinch-ab", "p:w"));
    }
}
