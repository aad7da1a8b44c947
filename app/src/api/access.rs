//! On the server: who is calling a server function and whether they may. Every server
//! function that reads or changes anything starts with [`signed_in`] or [`allowed`].
//! Also what every function takes from the request's context (the pool, the cipher...).

use auth::Principal;
use domain::access::Action;
use leptos::prelude::*;

use super::error::ApiError;

/// The signed-in user, if any (for what anyone may ask, such as "who am I?").
pub fn current() -> Option<Principal> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Principal>().cloned())
}

/// The signed-in user, or a 401.
pub fn signed_in() -> Result<Principal, ApiError> {
    current().ok_or(ApiError::Unauthorized)
}

/// The signed-in user if their role allows `action`, or a 401/403.
pub fn allowed(action: Action) -> Result<Principal, ApiError> {
    let principal = signed_in()?;
    if principal.may(action) {
        Ok(principal)
    } else {
        Err(ApiError::Forbidden)
    }
}

/// What the server provides every request; missing, it is a wiring mistake of ours.
fn provided<T: Clone + Send + Sync + 'static>(what: &str) -> Result<T, ApiError> {
    use_context::<T>().ok_or_else(|| {
        tracing::error!(what, "not provided to server functions");
        ApiError::Internal
    })
}

pub fn pool() -> Result<store::PgPool, ApiError> {
    provided("the database pool")
}

/// Where the explorer, its counts and the charts read (a replica, or the primary).
pub fn read_pool() -> Result<store::ReadPool, ApiError> {
    provided("the read pool")
}

pub fn cipher() -> Result<store::Cipher, ApiError> {
    provided("the cipher")
}

/// The base of the URLs handed to people outside (callback URLs).
pub fn public_url() -> Result<url::Url, ApiError> {
    provided("the public URL")
}

/// Where MoEngage is: what the event page shows a request was sent to.
pub fn data_api() -> Result<store::moengage::DataApi, ApiError> {
    provided("MoEngage's address")
}

/// The checks the console makes against MoEngage and the public callback URL.
pub fn probes() -> Result<super::probes::SharedProbes, ApiError> {
    provided("the outside checks")
}

pub fn passwords() -> Result<auth::Passwords, ApiError> {
    provided("password hashing")
}

pub async fn session() -> Result<tower_sessions::Session, ApiError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|error| {
            tracing::error!(%error, "sessions are not configured");
            ApiError::Internal
        })
}
