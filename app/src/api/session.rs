//! The signed-in user: who they are, and changing their own password.

use super::error::ApiError;
use domain::access::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the browser knows of the signed-in user: enough to hide what the server would
/// refuse anyway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub role: Role,
}

/// The signed-in user, or None for a visitor.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<Me>, ApiError> {
    Ok(super::access::current().map(|principal| Me {
        email: principal.email.to_string(),
        role: principal.role,
    }))
}

/// Changes the signed-in user's password. Their other sessions end; this one carries on.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), ApiError> {
    use auth::users::UserChangeError;

    use super::access::{passwords, pool, session, signed_in};

    let principal = signed_in()?;
    if new_password != confirm_password {
        return Err(ApiError::invalid(
            "confirm_password",
            "the two new passwords differ",
        ));
    }
    let session = session().await?;
    let outcome = auth::users::change_own_password(
        &pool()?,
        &passwords()?,
        &principal,
        &session,
        &current_password,
        new_password,
    )
    .await;
    match outcome {
        Ok(()) => Ok(()),
        Err(UserChangeError::WrongCurrentPassword) => Err(ApiError::invalid(
            "current_password",
            "this is not your current password",
        )),
        Err(UserChangeError::Throttled { retry_at }) => {
            let seconds = (retry_at - chrono::Utc::now()).num_seconds().max(1);
            Err(ApiError::invalid(
                "current_password",
                format!("too many wrong passwords: try again in {seconds} seconds"),
            ))
        }
        Err(UserChangeError::Password(rejection)) => {
            Err(ApiError::invalid("new_password", rejection))
        }
        Err(error) => Err(ApiError::internal(error)),
    }
}
