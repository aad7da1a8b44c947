//! Signing in with an email and a password, under the throttle, with every attempt in the
//! audit log. One generic answer for every kind of failure: it never tells whether the
//! email exists, whether the account is disabled, or which of the two fields was wrong.

use chrono::{DateTime, Utc};
use domain::access::{AuditAction, Email, ACCOUNT_THROTTLE, IP_THROTTLE};
use serde_json::json;
use store::audit::{self, Actor, AuditEntry};
use store::users::UserId;
use store::{login_throttle, PgPool};
use tower_sessions::Session;

use crate::password::{PasswordError, Passwords};
use crate::session::{self, SessionError};

pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub source_ip: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong email or password (or a disabled account); `retry_at` when this failure
    /// started a delay.
    #[error("wrong email or password")]
    Invalid { retry_at: Option<DateTime<Utc>> },
    /// Too many failures: the attempt was not checked.
    #[error("too many failed attempts; try again at {retry_at}")]
    Throttled { retry_at: DateTime<Utc> },
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("could not check the sign-in")]
    Database(#[from] sqlx::Error),
}

/// The throttle's key for an account, by its (lower-cased) email.
pub(crate) fn account_key(email: &str) -> String {
    format!("account:{email}")
}

/// Counts the attempt against the address and the account before anything is checked, so
/// that parallel attempts cannot slip past the throttle; refuses it when either is blocked
/// (giving back what was already counted: the attempt was not made). The address goes
/// first: a blocked address then leaves the account untouched, so a guesser's blocked
/// machine cannot add to the wait of the account's owner.
async fn reserve(
    pool: &PgPool,
    account_key: &str,
    ip_key: Option<&str>,
) -> Result<(), SignInError> {
    if let Some(ip_key) = ip_key {
        if let Err(retry_at) = login_throttle::reserve(pool, ip_key, &IP_THROTTLE).await? {
            return Err(SignInError::Throttled { retry_at });
        }
    }
    if let Err(retry_at) = login_throttle::reserve(pool, account_key, &ACCOUNT_THROTTLE).await? {
        if let Some(ip_key) = ip_key {
            login_throttle::give_back(pool, ip_key).await?;
        }
        return Err(SignInError::Throttled { retry_at });
    }
    Ok(())
}

/// Checks the attempt and, when it is right, starts a signed-in session (under a new id).
pub async fn sign_in(
    pool: &PgPool,
    passwords: &Passwords,
    session: &Session,
    attempt: Attempt<'_>,
) -> Result<UserId, SignInError> {
    let typed_email: String = attempt
        .email
        .trim()
        .to_lowercase()
        .chars()
        .take(Email::MAX_LEN)
        .collect();
    let account_key = account_key(&typed_email);
    let ip_key = attempt.source_ip.as_ref().map(|ip| format!("ip:{ip}"));
    reserve(pool, &account_key, ip_key.as_deref()).await?;

    let credentials = match Email::parse(attempt.email) {
        Ok(email) => store::users::credentials(pool, &email).await?,
        Err(_) => None,
    };
    let matches = passwords
        .verify(
            attempt.password,
            credentials.as_ref().map(|c| c.password_hash.as_str()),
        )
        .await?;

    match credentials {
        Some(account) if matches && !account.disabled => {
            login_throttle::clear(pool, &account_key).await?;
            if let Some(ip_key) = &ip_key {
                login_throttle::give_back(pool, ip_key).await?;
            }
            session::begin(session, account.id, account.session_epoch).await?;
            let entry = AuditEntry::new(
                Actor::User {
                    id: account.id,
                    email: account.email.to_string(),
                },
                AuditAction::SignedIn,
            )
            .target(account.email.to_string())
            .from_ip(attempt.source_ip);
            audit::record(pool, &entry).await?;
            Ok(account.id)
        }
        account => {
            let reason = match &account {
                None => "no such account",
                Some(account) if account.disabled => "account disabled",
                Some(_) => "wrong password",
            };
            // The failure was counted when the attempt was reserved.
            let mut retry_at = login_throttle::retry_at(pool, &account_key).await?;
            if let Some(ip_key) = &ip_key {
                retry_at = retry_at.max(login_throttle::retry_at(pool, ip_key).await?);
            }
            let entry = AuditEntry::new(Actor::Anonymous, AuditAction::SignInFailed)
                .target(typed_email)
                .change(None, Some(json!({ "reason": reason })))
                .from_ip(attempt.source_ip);
            audit::record(pool, &entry).await?;
            Err(SignInError::Invalid { retry_at })
        }
    }
}
