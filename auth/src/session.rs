//! What a console session remembers, and the rules that end it.
//!
//! tower-sessions stores the session in Postgres and ends it after `idle` without requests.
//! On top of that a session ends `absolute` after sign-in whatever the activity, and when
//! the user's session epoch moves on (log out everywhere, password change, disabled).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use store::users::UserId;
use tower_sessions::Session;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "dlrhub_session";

const SIGNED_IN: &str = "signed_in";

#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(2 * 60 * 60),
            absolute: Duration::from_secs(12 * 60 * 60),
        }
    }
}

/// Stored in the session at sign-in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct SignedIn {
    pub user_id: UserId,
    pub epoch: i32,
    pub since: DateTime<Utc>,
}

impl SignedIn {
    pub fn expired(&self, policy: &SessionPolicy, now: DateTime<Utc>) -> bool {
        let age = now.signed_duration_since(self.since);
        age.to_std().is_ok_and(|age| age > policy.absolute)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the session store failed")]
pub struct SessionError(#[from] tower_sessions::session::Error);

/// Starts a signed-in session under a new id, so an id planted before sign-in (session
/// fixation) is worthless after it.
pub async fn begin(session: &Session, user_id: UserId, epoch: i32) -> Result<(), SessionError> {
    session.cycle_id().await?;
    session
        .insert(
            SIGNED_IN,
            SignedIn {
                user_id,
                epoch,
                since: Utc::now(),
            },
        )
        .await?;
    Ok(())
}

/// What the session remembers of its sign-in. A value this version cannot read (written by
/// an older one, or edited by hand) counts as signed out, rather than locking the cookie's
/// owner out with errors until the cookie expires.
pub async fn current(session: &Session) -> Result<Option<SignedIn>, SessionError> {
    match session.get::<SignedIn>(SIGNED_IN).await {
        Ok(signed_in) => Ok(signed_in),
        Err(tower_sessions::session::Error::SerdeJson(error)) => {
            tracing::warn!(%error, "an unreadable session was ended");
            end(session).await?;
            Ok(None)
        }
        Err(error) => Err(error.into()),
    }
}

/// Keeps this session alive across an epoch change it caused itself (a password change).
pub async fn carry_on(session: &Session, epoch: i32) -> Result<(), SessionError> {
    if let Some(mut signed_in) = current(session).await? {
        signed_in.epoch = epoch;
        session.insert(SIGNED_IN, signed_in).await?;
    }
    Ok(())
}

/// Deletes the session from the store; its cookie is worthless from now on.
pub async fn end(session: &Session) -> Result<(), SessionError> {
    session.flush().await?;
    Ok(())
}
