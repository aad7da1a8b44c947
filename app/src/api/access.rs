//! On the server: who is calling a server function and whether they may. Every server
//! function that reads or changes anything starts with [`signed_in`] or [`allowed`];
//! refusals carry their HTTP status (401, 403, 404) as well as a message.

use auth::Principal;
use domain::access::Action;
use leptos::prelude::*;

use crate::http_status::set_http_status;

/// The signed-in user, if any (for what anyone may ask, such as "who am I?").
pub fn current() -> Option<Principal> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Principal>().cloned())
}

/// The signed-in user, or a 401.
pub fn signed_in() -> Result<Principal, ServerFnError> {
    current().ok_or_else(|| refuse(401, "sign in first"))
}

/// The signed-in user if their role allows `action`, or a 401/403.
pub fn allowed(action: Action) -> Result<Principal, ServerFnError> {
    let principal = signed_in()?;
    if principal.may(action) {
        Ok(principal)
    } else {
        Err(refuse(403, "your role does not allow this"))
    }
}

/// A refusal with its status.
pub fn refuse(status: u16, message: &str) -> ServerFnError {
    set_http_status(status);
    ServerFnError::new(message)
}

/// A failure that is ours, not the caller's: logged in full, answered in general.
pub fn internal(error: impl std::error::Error + 'static) -> ServerFnError {
    tracing::error!(
        error = &error as &dyn std::error::Error,
        "server function failed"
    );
    set_http_status(500);
    ServerFnError::new("something went wrong on our side; try again in a moment")
}

pub fn pool() -> Result<store::PgPool, ServerFnError> {
    use_context::<store::PgPool>().ok_or_else(|| refuse(500, "the database pool is not configured"))
}

pub fn cipher() -> Result<store::Cipher, ServerFnError> {
    use_context::<store::Cipher>().ok_or_else(|| refuse(500, "the cipher is not configured"))
}

/// The base of the URLs handed to people outside (callback URLs).
pub fn public_url() -> Result<url::Url, ServerFnError> {
    use_context::<url::Url>().ok_or_else(|| refuse(500, "the public URL is not configured"))
}

/// Where MoEngage is: what the event page shows a request was sent to.
pub fn data_api() -> Result<store::moengage::DataApi, ServerFnError> {
    use_context::<store::moengage::DataApi>()
        .ok_or_else(|| refuse(500, "MoEngage's address is not configured"))
}

/// The checks the console makes against MoEngage and the public callback URL.
pub fn probes() -> Result<super::probes::SharedProbes, ServerFnError> {
    use_context::<super::probes::SharedProbes>()
        .ok_or_else(|| refuse(500, "outside checks are not configured"))
}

pub fn passwords() -> Result<auth::Passwords, ServerFnError> {
    use_context::<auth::Passwords>()
        .ok_or_else(|| refuse(500, "password hashing is not configured"))
}

pub async fn session() -> Result<tower_sessions::Session, ServerFnError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|_| refuse(500, "sessions are not configured"))
}
