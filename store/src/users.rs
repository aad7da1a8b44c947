//! Console users: their password hashes, roles, the tenants a viewer may see, and the
//! session epoch that lets one statement end all of a user's sessions.

use chrono::{DateTime, Utc};
use domain::access::{Email, Role};
use domain::AppKey;
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;

use crate::tenants::TenantId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A user as the Users page lists them.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub role: Role,
    /// The workspaces a viewer is limited to (empty for other roles).
    pub tenants: Vec<AppKey>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What signing in checks. The hash never leaves the server.
pub struct Credentials {
    pub id: UserId,
    pub email: Email,
    pub password_hash: String,
    pub session_epoch: i32,
    pub disabled: bool,
}

/// What every request of a signed-in user needs to know about them.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: UserId,
    pub email: Email,
    pub role: Role,
    pub tenant_ids: Vec<TenantId>,
    pub session_epoch: i32,
    pub disabled: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("a user with the email {0} already exists")]
    Conflict(Email),
    #[error("could not store the user")]
    Database(#[source] sqlx::Error),
}

/// Adds a user. A viewer's tenants are set separately with [`set_tenants`].
pub async fn create(
    executor: impl PgExecutor<'_>,
    email: &Email,
    password_hash: &str,
    role: Role,
) -> Result<UserId, CreateUserError> {
    sqlx::query_scalar!(
        r#"INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3) RETURNING id AS "id: UserId""#,
        email.as_str(),
        password_hash,
        role.as_str(),
    )
    .fetch_one(executor)
    .await
    .map_err(|error| match &error {
        sqlx::Error::Database(db) if db.constraint() == Some("users_email_key") => {
            CreateUserError::Conflict(email.clone())
        }
        _ => CreateUserError::Database(error),
    })
}

pub async fn count(executor: impl PgExecutor<'_>) -> Result<i64, sqlx::Error> {
    let count = sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM users"#)
        .fetch_one(executor)
        .await?;
    Ok(count)
}

pub async fn credentials(
    executor: impl PgExecutor<'_>,
    email: &Email,
) -> Result<Option<Credentials>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT id AS "id: UserId", password_hash, session_epoch,
                  disabled_at IS NOT NULL AS "disabled!"
           FROM users WHERE email = $1"#,
        email.as_str(),
    )
    .fetch_optional(executor)
    .await?;
    Ok(row.map(|row| Credentials {
        id: row.id,
        email: email.clone(),
        password_hash: row.password_hash,
        session_epoch: row.session_epoch,
        disabled: row.disabled,
    }))
}

/// The signed-in user's role, tenants and session epoch, read on every console request.
pub async fn account(
    executor: impl PgExecutor<'_>,
    id: UserId,
) -> Result<Option<Account>, sqlx::Error> {
    let row = sqlx::query!(
        r#"
        SELECT u.email, u.role, u.session_epoch, u.disabled_at IS NOT NULL AS "disabled!",
               COALESCE(array_agg(ut.tenant_id) FILTER (WHERE ut.tenant_id IS NOT NULL), '{}')
                   AS "tenant_ids!: Vec<TenantId>"
        FROM users u LEFT JOIN user_tenants ut ON ut.user_id = u.id
        WHERE u.id = $1
        GROUP BY u.id
        "#,
        id.0,
    )
    .fetch_optional(executor)
    .await?;
    row.map(|row| {
        Ok(Account {
            id,
            email: parse_email(&row.email)?,
            role: parse_role(&row.role)?,
            tenant_ids: row.tenant_ids,
            session_epoch: row.session_epoch,
            disabled: row.disabled,
        })
    })
    .transpose()
}

pub async fn find(executor: impl PgExecutor<'_>, id: UserId) -> Result<Option<User>, sqlx::Error> {
    let rows = list_where(executor, Some(id)).await?;
    Ok(rows.into_iter().next())
}

pub async fn list(executor: impl PgExecutor<'_>) -> Result<Vec<User>, sqlx::Error> {
    list_where(executor, None).await
}

async fn list_where(
    executor: impl PgExecutor<'_>,
    only: Option<UserId>,
) -> Result<Vec<User>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT u.id AS "id: UserId", u.email, u.role, u.disabled_at, u.created_at,
               COALESCE(array_agg(t.app_key ORDER BY t.app_key) FILTER (WHERE t.id IS NOT NULL), '{}')
                   AS "tenants!"
        FROM users u
        LEFT JOIN user_tenants ut ON ut.user_id = u.id
        LEFT JOIN tenants t ON t.id = ut.tenant_id
        WHERE $1::bigint IS NULL OR u.id = $1
        GROUP BY u.id
        ORDER BY u.email
        "#,
        only.map(|id| id.0),
    )
    .fetch_all(executor)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(User {
                id: row.id,
                email: parse_email(&row.email)?,
                role: parse_role(&row.role)?,
                tenants: row
                    .tenants
                    .iter()
                    .map(|key| AppKey::parse(key).map_err(|e| decode_error(e.to_string())))
                    .collect::<Result<_, _>>()?,
                disabled_at: row.disabled_at,
                created_at: row.created_at,
            })
        })
        .collect()
}

/// Changes the role; returns false when there is no such user.
pub async fn set_role(
    executor: impl PgExecutor<'_>,
    id: UserId,
    role: Role,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "UPDATE users SET role = $2 WHERE id = $1",
        id.0,
        role.as_str()
    )
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Replaces the tenants a user is limited to. Run it in the transaction that changes the
/// role, so a viewer is never briefly scoped to nothing or to everything.
pub async fn set_tenants(
    tx: &mut sqlx::PgConnection,
    id: UserId,
    tenants: &[TenantId],
) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM user_tenants WHERE user_id = $1", id.0)
        .execute(&mut *tx)
        .await?;
    let ids: Vec<i64> = tenants.iter().map(|tenant| tenant.0).collect();
    sqlx::query!(
        "INSERT INTO user_tenants (user_id, tenant_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
        id.0,
        &ids,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Disables or re-enables a user. Disabling ends their sessions.
pub async fn set_disabled(
    executor: impl PgExecutor<'_>,
    id: UserId,
    disabled: bool,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        r#"
        UPDATE users
        SET disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, now()) END,
            session_epoch = session_epoch + CASE WHEN $2 THEN 1 ELSE 0 END
        WHERE id = $1
        "#,
        id.0,
        disabled,
    )
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Stores a new password hash and ends every session of the user; returns the new epoch
/// (the session that changed its own password carries on under it), None for no user.
pub async fn set_password(
    executor: impl PgExecutor<'_>,
    id: UserId,
    password_hash: &str,
) -> Result<Option<i32>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        UPDATE users
        SET password_hash = $2, password_changed_at = now(), session_epoch = session_epoch + 1
        WHERE id = $1
        RETURNING session_epoch
        "#,
        id.0,
        password_hash,
    )
    .fetch_optional(executor)
    .await
}

/// Ends every session of the user ("log out everywhere"); returns the new epoch.
pub async fn end_sessions(
    executor: impl PgExecutor<'_>,
    id: UserId,
) -> Result<Option<i32>, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1 RETURNING session_epoch",
        id.0,
    )
    .fetch_optional(executor)
    .await
}

/// How many enabled admins there are: the last one may not be demoted or disabled.
pub async fn active_admins(executor: impl PgExecutor<'_>) -> Result<i64, sqlx::Error> {
    let count = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM users WHERE role = 'admin' AND disabled_at IS NULL"#
    )
    .fetch_one(executor)
    .await?;
    Ok(count)
}

fn parse_email(raw: &str) -> Result<Email, sqlx::Error> {
    Email::parse(raw).map_err(|error| decode_error(error.to_string()))
}

fn parse_role(raw: &str) -> Result<Role, sqlx::Error> {
    raw.parse()
        .map_err(|error: domain::access::RoleError| decode_error(error.to_string()))
}

fn decode_error(message: String) -> sqlx::Error {
    sqlx::Error::Decode(message.into())
}

/// Locks every admin row, so that "is there another enabled admin?" stays true until the
/// transaction that asked commits. Taken before reading the user being changed.
pub async fn lock(executor: impl PgExecutor<'_>, id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT id FROM users WHERE role = 'admin' OR id = $1 ORDER BY id FOR UPDATE",
        id.0
    )
    .fetch_all(executor)
    .await?;
    Ok(())
}
