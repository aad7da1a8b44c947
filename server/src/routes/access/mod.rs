//! Who is asking: every console request passes `authenticate`, which puts the signed-in
//! [`Principal`] (if any) and the client's address in the request's extensions, where
//! routes and server functions find them. `require_sign_in` then sends anonymous visitors
//! of any non-public path to the sign-in page.

mod sign_in;

use std::net::SocketAddr;

use auth::Principal;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde_json::json;
use tower_sessions::Session;

pub use sign_in::{sign_in, sign_out, sign_out_everywhere};

use crate::state::AppState;

/// The address a request came from, as the audit log and the throttle see it.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// Paths that never need a session: the sign-in page and its form, static files, the
/// webhook (Sinch authenticates per tenant), health checks, and server functions and
/// metrics (they answer 401 themselves, as JSON, rather than redirecting).
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login" | "/favicon.svg" | "/healthz" | "/readyz" | "/metrics"
    ) || ["/pkg/", "/api/", "/auth/", "/webhooks/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

/// Paths whose requests never look at the session: skipping them saves a query each.
fn needs_no_session(path: &str) -> bool {
    ["/pkg/", "/webhooks/", "/healthz", "/readyz", "/favicon.svg"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

pub async fn authenticate(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    if needs_no_session(request.uri().path()) {
        return next.run(request).await;
    }
    let ip = client_ip(&state, &request);
    request.extensions_mut().insert(ClientIp(ip.clone()));
    match auth::principal::resolve(&state.pool, &session, &state.access.session, Some(ip)).await {
        Ok(Some(principal)) => {
            request.extensions_mut().insert(principal);
        }
        Ok(None) => {}
        Err(error) => {
            tracing::error!(
                error = &error as &dyn std::error::Error,
                "could not read the session"
            );
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({
                    "error": "session_unavailable",
                    "message": "could not read your session; try again in a moment",
                })),
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// Anonymous requests for a console page go to the sign-in page, which brings them back
/// afterwards; other anonymous requests to private paths get a 401.
pub async fn require_sign_in(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let signed_in = request.extensions().get::<Principal>().is_some();
    if signed_in && path == "/login" && request.method() == Method::GET {
        return Redirect::to("/").into_response();
    }
    if is_public(path) || signed_in {
        return next.run(request).await;
    }
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        let wanted = request.uri().path_and_query().map_or("/", |p| p.as_str());
        let target = if wanted == "/" {
            "/login".to_owned()
        } else {
            format!("/login?next={}", urlencode(wanted))
        };
        return Redirect::to(&target).into_response();
    }
    unauthorized()
}

pub fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({ "error": "unauthorized", "message": "sign in first" })),
    )
        .into_response()
}

/// The proxy's header when the request came through a trusted proxy, else the peer: a
/// header from anyone else could name any address (and dodge the throttle, or frame one).
fn client_ip(state: &AppState, request: &Request) -> String {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let access = &state.access;
    let from_proxy = peer
        .filter(|peer| access.trusted_proxies.iter().any(|net| net.contains(peer)))
        .and(access.client_ip_header.as_ref())
        .and_then(|name| last_value(request.headers(), name));
    from_proxy.unwrap_or_else(|| peer.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()))
}

/// The last address in a proxy header: earlier entries come from the client and can be
/// anything it likes.
fn last_value(headers: &HeaderMap, name: &header::HeaderName) -> Option<String> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .rfind(|value| !value.is_empty())
        .map(|value| value.chars().take(64).collect())
}

fn urlencode(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_private_and_assets_public() {
        for path in ["/", "/users", "/audit", "/account", "/anything"] {
            assert!(!is_public(path), "{path}");
        }
        for path in [
            "/login",
            "/pkg/dlrhub.wasm",
            "/api/whoami",
            "/webhooks/sinch/x",
        ] {
            assert!(is_public(path), "{path}");
        }
    }

    #[test]
    fn the_proxy_added_address_is_the_last_one() {
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            "6.6.6.6, 10.0.0.1".parse().expect("valid"),
        );
        headers.append("x-forwarded-for", "203.0.113.7".parse().expect("valid"));
        let name = header::HeaderName::from_static("x-forwarded-for");
        assert_eq!(last_value(&headers, &name).as_deref(), Some("203.0.113.7"));
    }
}
