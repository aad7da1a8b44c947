//! The sign-in form's POST, and signing out. Plain form posts answered with redirects, so
//! they work before (and without) the wasm bundle.

use auth::sign_in::{Attempt, SignInError};
use auth::Principal;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::Utc;
use serde::Deserialize;
use tower_sessions::Session;

use super::{unauthorized, urlencode, ClientIp};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    session: Session,
    Form(form): Form<SignInForm>,
) -> Response {
    let attempt = Attempt {
        email: &form.email,
        password: &form.password,
        source_ip: Some(ip),
    };
    let next = safe_next(&form.next);
    let outcome = auth::sign_in::sign_in(&state.pool, &state.passwords, &session, attempt).await;
    let again = |problem: &str, retry_at: Option<chrono::DateTime<Utc>>| {
        let mut target = format!("/login?error={problem}");
        if let Some(retry_at) = retry_at {
            let seconds = (retry_at - Utc::now()).num_seconds().max(1);
            target.push_str(&format!("&retry_in={seconds}"));
        }
        if next != "/" {
            target.push_str(&format!("&next={}", urlencode(next)));
        }
        Redirect::to(&target).into_response()
    };
    match outcome {
        Ok(_) => Redirect::to(next).into_response(),
        Err(SignInError::Invalid { retry_at }) => again("invalid", retry_at),
        Err(SignInError::Throttled { retry_at }) => again("throttled", Some(retry_at)),
        Err(error) => {
            tracing::error!(error = &error as &dyn std::error::Error, "sign-in failed");
            again("unavailable", None)
        }
    }
}

/// Ends this session: it is deleted from the store, so its cookie opens nothing.
pub async fn sign_out(session: Session) -> Response {
    if let Err(error) = auth::session::end(&session).await {
        tracing::error!(error = &error as &dyn std::error::Error, "sign-out failed");
    }
    Redirect::to("/login?signed_out=here").into_response()
}

/// Ends every session of the signed-in user, on every device.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    session: Session,
) -> Response {
    let Some(Extension(principal)) = principal else {
        return unauthorized();
    };
    match auth::users::sign_out_everywhere(&state.pool, &principal, &session).await {
        Ok(()) => Redirect::to("/login?signed_out=everywhere").into_response(),
        Err(error) => {
            tracing::error!(
                error = &error as &dyn std::error::Error,
                "sign-out everywhere failed"
            );
            Redirect::to("/account?error=unavailable").into_response()
        }
    }
}

/// Where to go after signing in: only a path on this site, never another site
/// (`//evil.example` and `/\evil.example` are other sites to a browser).
fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(char::is_control);
    if local && !next.starts_with("/login") {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/users?role=viewer"), "/users?role=viewer");
        for foreign in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
            "/login",
        ] {
            assert_eq!(safe_next(foreign), "/", "{foreign}");
        }
    }
}
