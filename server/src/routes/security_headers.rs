//! Headers that tell browsers to refuse what the console never does: run scripts it did not
//! serve, be framed by another site, sniff content types, or leak its URLs as referrers.

use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use tower_http::set_header::SetResponseHeaderLayer;

/// For responses that are not pages (JSON, files, errors): nothing may run or embed them.
const NOT_A_PAGE: &str = "default-src 'none'; frame-ancestors 'none'";

/// Adds the headers every response carries. A page's own policy, set while it renders,
/// takes precedence over the default one. Over https, browsers are told to use nothing
/// else for a year (HSTS).
pub fn apply<S: Clone + Send + Sync + 'static>(router: Router<S>, https: bool) -> Router<S> {
    let router = if https {
        router.layer(SetResponseHeaderLayer::overriding(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
    } else {
        router
    };
    router
        .layer(axum::middleware::from_fn(no_store_for_data))
        .layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NOT_A_PAGE),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}

/// Server-function answers and exports carry customers' data: no cache (a browser's, a
/// proxy's) may keep them.
async fn no_store_for_data(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let data = path.starts_with("/api/") || path == "/events.csv";
    let mut response = next.run(request).await;
    if data {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The policy of a server-rendered page. Leptos gives every render a fresh nonce and puts
/// it on the hydration scripts it writes; only those inline scripts and the site's own
/// files may run, and `'wasm-unsafe-eval'` lets the browser compile the wasm bundle.
/// Called inside each render (the routes' context function).
pub fn page_policy() {
    let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn headers_of(https: bool, path: &str) -> axum::http::HeaderMap {
        let router: Router = apply(
            Router::new()
                .route("/", get(|| async { "page" }))
                .route("/api/x", get(|| async { "data" })),
            https,
        );
        let request = Request::get(path).body(Body::empty()).expect("a request");
        router
            .oneshot(request)
            .await
            .expect("an answer")
            .headers()
            .clone()
    }

    #[tokio::test]
    async fn https_deployments_get_hsts_and_data_is_never_stored() {
        let over_https = headers_of(true, "/").await;
        assert_eq!(
            over_https[STRICT_TRANSPORT_SECURITY],
            "max-age=31536000; includeSubDomains"
        );
        assert!(headers_of(false, "/")
            .await
            .get(STRICT_TRANSPORT_SECURITY)
            .is_none());
        assert_eq!(headers_of(false, "/api/x").await[CACHE_CONTROL], "no-store");
        assert!(headers_of(false, "/").await.get(CACHE_CONTROL).is_none());
    }
}
