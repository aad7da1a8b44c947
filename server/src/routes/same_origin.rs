//! CSRF protection for the console: a request that changes state (any method but GET, HEAD
//! and OPTIONS) from a browser must come from dlrhub's own pages.
//!
//! Browsers send `Origin` with every cross-site POST (and `Referer` unless told not to), and
//! a page cannot forge either. So a request whose Origin (or, without one, Referer) names
//! another site is refused with 403, and so is one with neither that carries a session
//! cookie (a browser that was made to strip both; programs with no session pass). Session
//! cookies are also `SameSite`. The Sinch webhook is exempt: Sinch is another site by
//! design and authenticates itself.

use axum::extract::{Request, State};
use axum::http::header::{COOKIE, HOST, ORIGIN, REFERER};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use url::Url;

use crate::state::AppState;

pub async fn require_same_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || request.uri().path().starts_with("/webhooks/") {
        return next.run(request).await;
    }
    let ours = match claimed_origin(request.headers()) {
        Some(origin) => is_ours(&origin, request.headers(), &state.public_url),
        None => !carries_session(request.headers()),
    };
    if ours {
        return next.run(request).await;
    }
    tracing::warn!(path = ?request.uri().path(), "refused a cross-site request");
    (
        StatusCode::FORBIDDEN,
        Json(json!({
            "error": "cross_site_request",
            "message": "this request came from another site, or named none; use dlrhub's own pages",
        })),
    )
        .into_response()
}

fn carries_session(headers: &HeaderMap) -> bool {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .any(|pair| {
            pair.trim()
                .split_once('=')
                .is_some_and(|(name, _)| name == auth::session::COOKIE_NAME)
        })
}

/// The site the browser says the request comes from: Origin, else Referer. "null" (a
/// sandboxed or privacy-stripped origin) is nobody's site and never matches.
fn claimed_origin(headers: &HeaderMap) -> Option<String> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = text(ORIGIN) {
        return Some(origin.trim().to_owned());
    }
    text(REFERER).map(|referer| match Url::parse(referer) {
        Ok(url) => url.origin().ascii_serialization(),
        Err(_) => "null".to_owned(),
    })
}

/// Ours when it is the public URL's origin, or names the host (and port) the request was
/// sent to, whatever the scheme (TLS may end at a proxy in front of dlrhub).
fn is_ours(origin: &str, headers: &HeaderMap, public_url: &Url) -> bool {
    let Ok(origin) = Url::parse(origin) else {
        return false;
    };
    if origin.origin() == public_url.origin() {
        return true;
    }
    let Some(host) = headers.get(HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let origin_host = match (origin.host_str(), origin.port()) {
        (Some(name), Some(port)) => format!("{name}:{port}"),
        (Some(name), None) => name.to_owned(),
        (None, _) => return false,
    };
    origin_host.eq_ignore_ascii_case(host.trim())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(axum::http::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).expect("valid"));
        }
        map
    }

    #[test]
    fn the_sites_own_pages_match_by_public_url_or_host() {
        let public: Url = "https://dlrhub.example.com/".parse().expect("valid");
        let proxied = headers(&[(HOST, "dlrhub.example.com")]);
        assert!(is_ours("https://dlrhub.example.com", &proxied, &public));
        let local = headers(&[(HOST, "127.0.0.1:3000")]);
        assert!(is_ours("http://127.0.0.1:3000", &local, &public));
        assert!(!is_ours("https://evil.example", &proxied, &public));
        assert!(!is_ours("http://127.0.0.1:3001", &local, &public));
        assert!(!is_ours("null", &local, &public));
    }

    #[test]
    fn the_referer_speaks_when_there_is_no_origin() {
        let from_page = headers(&[(REFERER, "http://127.0.0.1:3000/tenants?page=2")]);
        assert_eq!(
            claimed_origin(&from_page).as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(claimed_origin(&HeaderMap::new()), None);
    }
}
