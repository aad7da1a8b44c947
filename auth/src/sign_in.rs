//! Signing in with an email and a password, under the throttle, with every attempt in the
//! audit log. One generic answer for every kind of failure: it never tells whether the
//! email exists, whether the account is disabled, or which of the two fields was wrong.

use chrono::{DateTime, Utc};
use domain::access::{AuditAction, Email, ACCOUNT_ADDRESS_THROTTLE, ACCOUNT_THROTTLE, IP_THROTTLE};
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

/// The throttle's keys for one attempt at an account's password (signing in, or changing
/// one's own): the address, the account from that address, and the account from
/// anywhere. The tight limit is on the pair, so a guesser locks out their own machine and
/// not the account's owner; the account-wide limit is loose, a net under guessing spread
/// over many addresses; the address's limit stops one machine trying many accounts.
pub(crate) struct ThrottleKeys {
    address: Option<String>,
    pair: String,
    account: String,
}

impl ThrottleKeys {
    /// `email` lower-cased as typed; `source_ip` None when the address is not known.
    pub(crate) fn new(email: &str, source_ip: Option<&str>) -> Self {
        Self {
            address: source_ip.map(|ip| format!("ip:{ip}")),
            pair: format!("account:{email}|ip:{}", source_ip.unwrap_or("unknown")),
            account: format!("account:{email}"),
        }
    }

    /// Counts the attempt under every key before anything is checked, so that parallel
    /// attempts cannot slip past the throttle; refuses it when any key is blocked (giving
    /// back what was already counted: the attempt was not made). The address goes first,
    /// then the pair: a blocked machine then leaves the account-wide count untouched, so a
    /// guesser cannot add to the wait of the account's owner.
    pub(crate) async fn reserve(&self, pool: &PgPool) -> Result<(), Throttled> {
        let keys = self
            .address
            .iter()
            .map(|key| (key.as_str(), &IP_THROTTLE))
            .chain([
                (self.pair.as_str(), &ACCOUNT_ADDRESS_THROTTLE),
                (self.account.as_str(), &ACCOUNT_THROTTLE),
            ]);
        let mut counted = Vec::new();
        for (key, policy) in keys {
            if let Err(retry_at) = login_throttle::reserve(pool, key, policy).await? {
                for key in counted {
                    login_throttle::give_back(pool, key).await?;
                }
                return Err(Throttled::Wait { retry_at });
            }
            counted.push(key);
        }
        Ok(())
    }

    /// The password was right: the account's failures are forgotten, from this address
    /// and from anywhere; the address only gets this attempt back (others behind it may
    /// be guessing).
    pub(crate) async fn succeeded(&self, pool: &PgPool) -> Result<(), sqlx::Error> {
        login_throttle::clear(pool, &self.pair).await?;
        login_throttle::clear(pool, &self.account).await?;
        if let Some(address) = &self.address {
            login_throttle::give_back(pool, address).await?;
        }
        Ok(())
    }

    /// After a wrong password (counted when it was reserved): when this caller may try
    /// again, None when at once.
    pub(crate) async fn retry_at(
        &self,
        pool: &PgPool,
    ) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        let mut retry_at = None;
        for key in self.address.iter().chain([&self.pair, &self.account]) {
            retry_at = retry_at.max(login_throttle::retry_at(pool, key).await?);
        }
        Ok(retry_at)
    }
}

/// Why [`ThrottleKeys::reserve`] refused an attempt.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Throttled {
    #[error("too many failed attempts; try again at {retry_at}")]
    Wait { retry_at: DateTime<Utc> },
    #[error("could not count the attempt")]
    Database(#[from] sqlx::Error),
}

impl From<Throttled> for SignInError {
    fn from(throttled: Throttled) -> Self {
        match throttled {
            Throttled::Wait { retry_at } => SignInError::Throttled { retry_at },
            Throttled::Database(error) => SignInError::Database(error),
        }
    }
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
    let throttle = ThrottleKeys::new(&typed_email, attempt.source_ip.as_deref());
    throttle.reserve(pool).await?;

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
            throttle.succeeded(pool).await?;
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
            let retry_at = throttle.retry_at(pool).await?;
            audit::record_failed_sign_in(pool, &typed_email, reason, attempt.source_ip.as_deref())
                .await?;
            Err(SignInError::Invalid { retry_at })
        }
    }
}
