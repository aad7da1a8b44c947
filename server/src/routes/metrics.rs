//! `GET /metrics`: Prometheus text format, from the recorder in `crate::telemetry::metrics`.

use auth::Principal;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::access::Action;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use crate::configuration::AccessSettings;
use crate::routes::access::unauthorized;
use crate::telemetry::metrics::handle;

/// For Prometheus with `Authorization: Bearer $DLRHUB_METRICS_TOKEN`, or for a signed-in
/// admin or support user; anyone else gets a 401.
pub async fn render(
    State(access): State<AccessSettings>,
    headers: HeaderMap,
    principal: Option<Extension<Principal>>,
) -> Response {
    let by_token = access.metrics_token.as_ref().is_some_and(|token| {
        let expected = format!("Bearer {}", token.expose_secret());
        headers
            .get(AUTHORIZATION)
            .is_some_and(|given| bool::from(given.as_bytes().ct_eq(expected.as_bytes())))
    });
    let by_session = principal.is_some_and(|p| p.may(Action::ViewMetrics));
    if !(by_token || by_session) {
        return unauthorized();
    }
    let handle = handle();
    handle.run_upkeep();
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}
