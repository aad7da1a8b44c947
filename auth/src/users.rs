//! The changes people make to users, each written in one transaction with its audit entry.
//! The Users page, the account page and `dlrhub user ...` all go through here.

use domain::access::{AuditAction, Email, NewPassword, PasswordRejection, Role};
use domain::AppKey;
use serde_json::{json, Value};
use store::audit::{self, Actor, AuditEntry};
use store::tenants::TenantId;
use store::users::{self as stored, CreateUserError, User, UserId};
use store::PgPool;
use tower_sessions::Session;

use crate::password::{PasswordError, Passwords};
use crate::session::{self, SessionError};
use crate::Principal;

/// Who is making a change, and from where.
pub struct ChangedBy {
    pub actor: Actor,
    pub source_ip: Option<String>,
}

impl From<&Principal> for ChangedBy {
    fn from(principal: &Principal) -> Self {
        Self {
            actor: principal.actor(),
            source_ip: principal.source_ip.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UserChangeError {
    #[error("a user with the email {0} already exists")]
    Conflict(Email),
    #[error("{0}")]
    Password(#[from] PasswordRejection),
    #[error("no tenant has the workspace id {0}")]
    UnknownTenant(AppKey),
    #[error("no such user")]
    NotFound,
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    /// Too many wrong current passwords: this one was not checked.
    #[error("too many wrong passwords; try again at {retry_at}")]
    Throttled {
        retry_at: chrono::DateTime<chrono::Utc>,
    },
    #[error("dlrhub needs at least one enabled admin: add another admin first")]
    LastAdmin,
    #[error(transparent)]
    Hashing(#[from] PasswordError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("could not change the user")]
    Database(#[from] sqlx::Error),
}

impl From<CreateUserError> for UserChangeError {
    fn from(error: CreateUserError) -> Self {
        match error {
            CreateUserError::Conflict(email) => UserChangeError::Conflict(email),
            CreateUserError::Database(error) => UserChangeError::Database(error),
        }
    }
}

pub struct NewUser {
    pub email: Email,
    pub role: Role,
    /// Tenants a viewer is limited to; ignored for the other roles.
    pub tenants: Vec<AppKey>,
    /// None: generate one.
    pub password: Option<String>,
}

/// Adds a user; returns them with the password to hand over (generated unless given).
pub async fn add(
    pool: &PgPool,
    passwords: &Passwords,
    by: &ChangedBy,
    new: NewUser,
) -> Result<(User, String), UserChangeError> {
    let password = match new.password {
        Some(password) => password,
        None => passwords.generate()?,
    };
    let checked = NewPassword::parse(password.clone(), &new.email)?;
    let hash = passwords.hash(&checked).await?;
    let tenant_ids = resolve_tenants(pool, new.role, &new.tenants).await?;
    let mut tx = pool.begin().await?;
    let id = stored::create(&mut *tx, &new.email, &hash, new.role).await?;
    stored::set_tenants(&mut tx, id, &tenant_ids).await?;
    let user = stored::find(&mut *tx, id)
        .await?
        .ok_or(UserChangeError::NotFound)?;
    let entry = entry(by, AuditAction::UserCreated, &user).change(None, Some(snapshot(&user)));
    audit::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok((user, password))
}

/// Changes a user's role and (for viewers) tenants.
pub async fn update(
    pool: &PgPool,
    by: &ChangedBy,
    id: UserId,
    role: Role,
    tenants: &[AppKey],
) -> Result<User, UserChangeError> {
    let tenant_ids = resolve_tenants(pool, role, tenants).await?;
    let mut tx = pool.begin().await?;
    let before = locked(&mut tx, id).await?;
    if before.role == Role::Admin && role != Role::Admin && before.disabled_at.is_none() {
        ensure_another_admin(&mut tx).await?;
    }
    stored::set_role(&mut *tx, id, role).await?;
    stored::set_tenants(&mut tx, id, &tenant_ids).await?;
    let after = stored::find(&mut *tx, id)
        .await?
        .ok_or(UserChangeError::NotFound)?;
    let entry = entry(by, AuditAction::UserChanged, &after)
        .change(Some(snapshot(&before)), Some(snapshot(&after)));
    audit::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(after)
}

/// Disables a user (ending their sessions) or enables them again.
pub async fn set_disabled(
    pool: &PgPool,
    by: &ChangedBy,
    id: UserId,
    disabled: bool,
) -> Result<User, UserChangeError> {
    let mut tx = pool.begin().await?;
    let before = locked(&mut tx, id).await?;
    if disabled && before.role == Role::Admin && before.disabled_at.is_none() {
        ensure_another_admin(&mut tx).await?;
    }
    stored::set_disabled(&mut *tx, id, disabled).await?;
    let after = stored::find(&mut *tx, id)
        .await?
        .ok_or(UserChangeError::NotFound)?;
    let action = if disabled {
        AuditAction::UserDisabled
    } else {
        AuditAction::UserEnabled
    };
    let entry = entry(by, action, &after).change(Some(snapshot(&before)), Some(snapshot(&after)));
    audit::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(after)
}

/// Gives a user a new generated password and ends their sessions; returns the password.
pub async fn reset_password(
    pool: &PgPool,
    passwords: &Passwords,
    by: &ChangedBy,
    id: UserId,
    password: Option<String>,
) -> Result<String, UserChangeError> {
    let user = stored::find(pool, id)
        .await?
        .ok_or(UserChangeError::NotFound)?;
    let password = match password {
        Some(password) => password,
        None => passwords.generate()?,
    };
    let hash = passwords
        .hash(&NewPassword::parse(password.clone(), &user.email)?)
        .await?;
    let mut tx = pool.begin().await?;
    stored::set_password(&mut *tx, id, &hash)
        .await?
        .ok_or(UserChangeError::NotFound)?;
    audit::record(&mut *tx, &entry(by, AuditAction::PasswordReset, &user)).await?;
    tx.commit().await?;
    Ok(password)
}

/// A signed-in user changes their own password. Their other sessions end; this one
/// carries on.
pub async fn change_own_password(
    pool: &PgPool,
    passwords: &Passwords,
    principal: &Principal,
    session: &Session,
    current: &str,
    new: String,
) -> Result<(), UserChangeError> {
    let credentials = stored::credentials(pool, &principal.email)
        .await?
        .ok_or(UserChangeError::NotFound)?;
    let checked = NewPassword::parse(new, &principal.email)?;
    // The same throttle as signing in to this account: a stolen session must not be a way
    // to guess the password at full speed. Counted before the check (see
    // `store::login_throttle::reserve`), so that parallel attempts cannot slip past it.
    let throttle =
        crate::sign_in::ThrottleKeys::new(principal.email.as_str(), principal.source_ip.as_deref());
    if let Err(throttled) = throttle.reserve(pool).await {
        return Err(match throttled {
            crate::sign_in::Throttled::Wait { retry_at } => UserChangeError::Throttled { retry_at },
            crate::sign_in::Throttled::Database(error) => error.into(),
        });
    }
    if !passwords
        .verify(current, Some(&credentials.password_hash))
        .await?
    {
        return Err(UserChangeError::WrongCurrentPassword);
    }
    throttle.succeeded(pool).await?;
    let hash = passwords.hash(&checked).await?;
    let mut tx = pool.begin().await?;
    let epoch = stored::set_password(&mut *tx, principal.id, &hash)
        .await?
        .ok_or(UserChangeError::NotFound)?;
    let entry = AuditEntry::new(principal.actor(), AuditAction::PasswordChanged)
        .target(principal.email.to_string())
        .from_ip(principal.source_ip.clone());
    audit::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    session::carry_on(session, epoch).await?;
    Ok(())
}

/// Ends every session of the signed-in user, this one included.
pub async fn sign_out_everywhere(
    pool: &PgPool,
    principal: &Principal,
    session: &Session,
) -> Result<(), UserChangeError> {
    let mut tx = pool.begin().await?;
    stored::end_sessions(&mut *tx, principal.id)
        .await?
        .ok_or(UserChangeError::NotFound)?;
    let entry = AuditEntry::new(principal.actor(), AuditAction::SignedOutEverywhere)
        .target(principal.email.to_string())
        .from_ip(principal.source_ip.clone());
    audit::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    session::end(session).await?;
    Ok(())
}

/// When dlrhub has no user at all, adds an admin with a generated password and returns
/// the email and password to show once. None when a user exists (or another process
/// created the first admin at the same moment).
pub async fn ensure_first_admin(
    pool: &PgPool,
    passwords: &Passwords,
    email: &Email,
) -> Result<Option<String>, UserChangeError> {
    if stored::count(pool).await? > 0 {
        return Ok(None);
    }
    let new = NewUser {
        email: email.clone(),
        role: Role::Admin,
        tenants: Vec::new(),
        password: None,
    };
    let by = ChangedBy {
        actor: Actor::System,
        source_ip: None,
    };
    match add(pool, passwords, &by, new).await {
        Ok((_, password)) => Ok(Some(password)),
        Err(UserChangeError::Conflict(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

async fn resolve_tenants(
    pool: &PgPool,
    role: Role,
    tenants: &[AppKey],
) -> Result<Vec<TenantId>, UserChangeError> {
    if role.sees_all_tenants() {
        return Ok(Vec::new());
    }
    let mut ids = Vec::with_capacity(tenants.len());
    for app_key in tenants {
        let tenant = store::tenants::find(pool, app_key)
            .await?
            .ok_or_else(|| UserChangeError::UnknownTenant(app_key.clone()))?;
        ids.push(tenant.id);
    }
    Ok(ids)
}

/// Reads the user under a row lock, so two admins changing roles at once cannot both
/// demote "another" admin and leave none.
async fn locked(tx: &mut sqlx::PgConnection, id: UserId) -> Result<User, UserChangeError> {
    stored::lock(&mut *tx, id).await?;
    stored::find(&mut *tx, id)
        .await?
        .ok_or(UserChangeError::NotFound)
}

async fn ensure_another_admin(tx: &mut sqlx::PgConnection) -> Result<(), UserChangeError> {
    if stored::active_admins(&mut *tx).await? <= 1 {
        return Err(UserChangeError::LastAdmin);
    }
    Ok(())
}

fn entry(by: &ChangedBy, action: AuditAction, user: &User) -> AuditEntry {
    AuditEntry::new(by.actor.clone(), action)
        .target(user.email.to_string())
        .from_ip(by.source_ip.clone())
}

/// What the audit log keeps of a user: never the password hash.
fn snapshot(user: &User) -> Value {
    json!({
        "email": user.email,
        "role": user.role,
        "tenants": user.tenants,
        "disabled": user.disabled_at.is_some(),
    })
}
