//! The Users page: admins add people, change their role and tenants, disable them and
//! reset their passwords. Every function here requires `Action::ManageUsers`.

use super::error::ApiError;
use domain::access::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub tenants: Vec<String>,
    pub disabled: bool,
    pub created_at: String,
    pub created_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantChoice {
    pub app_key: String,
    pub name: String,
}

/// A password to hand over once: a new user's or a reset one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedPassword {
    pub email: String,
    pub password: String,
}

#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserRow>, ApiError> {
    use super::access::{allowed, pool};
    allowed(domain::access::Action::ManageUsers)?;
    let users = store::users::list(&pool()?).await?;
    Ok(users
        .into_iter()
        .map(|user| UserRow {
            id: user.id.0,
            email: user.email.to_string(),
            role: user.role,
            tenants: user.tenants.iter().map(ToString::to_string).collect(),
            disabled: user.disabled_at.is_some(),
            created_at: user.created_at.to_rfc3339(),
            created_text: user.created_at.format("%Y-%m-%d").to_string(),
        })
        .collect())
}

/// The tenants a viewer can be limited to.
#[server(endpoint = "tenant_choices")]
pub async fn tenant_choices() -> Result<Vec<TenantChoice>, ApiError> {
    use super::access::{allowed, pool};
    allowed(domain::access::Action::ManageUsers)?;
    let tenants = store::tenants::list(&pool()?).await?;
    Ok(tenants
        .into_iter()
        .map(|tenant| TenantChoice {
            app_key: tenant.app_key.to_string(),
            name: tenant.name,
        })
        .collect())
}

#[server(endpoint = "add_user")]
pub async fn add_user(
    email: String,
    role: String,
    #[server(default)] tenants: Vec<String>,
) -> Result<IssuedPassword, ApiError> {
    use super::access::{allowed, passwords, pool};
    use super::forms::FieldErrors;

    let principal = allowed(domain::access::Action::ManageUsers)?;
    let mut errors = FieldErrors::default();
    let email = domain::access::Email::parse(&email)
        .map_err(|error| errors.add("email", error))
        .ok();
    let role = parse_role(&role)
        .map_err(|error| errors.add("role", error))
        .ok();
    let tenants = parse_tenants(&tenants)
        .map_err(|error| errors.add("tenants", error))
        .ok();
    let (Some(email), Some(role), Some(tenants)) = (email, role, tenants) else {
        return Err(ApiError::Invalid(errors));
    };
    let new = auth::users::NewUser {
        email,
        role,
        tenants,
        password: None,
    };
    let by = auth::users::ChangedBy::from(&principal);
    match auth::users::add(&pool()?, &passwords()?, &by, new).await {
        Ok((user, password)) => Ok(IssuedPassword {
            email: user.email.to_string(),
            password,
        }),
        Err(error) => form_error(error),
    }
}

#[server(endpoint = "update_user")]
pub async fn update_user(
    id: i64,
    role: String,
    #[server(default)] tenants: Vec<String>,
) -> Result<(), ApiError> {
    use super::access::{allowed, pool};

    let principal = allowed(domain::access::Action::ManageUsers)?;
    let role = match parse_role(&role) {
        Ok(role) => role,
        Err(error) => return Err(ApiError::invalid("role", error)),
    };
    let tenants = match parse_tenants(&tenants) {
        Ok(tenants) => tenants,
        Err(error) => return Err(ApiError::invalid("tenants", error)),
    };
    let by = auth::users::ChangedBy::from(&principal);
    match auth::users::update(&pool()?, &by, store::users::UserId(id), role, &tenants).await {
        Ok(_) => Ok(()),
        Err(error) => form_error(error),
    }
}

#[server(endpoint = "set_user_disabled")]
pub async fn set_user_disabled(id: i64, disabled: bool) -> Result<(), ApiError> {
    use super::access::{allowed, pool};
    let principal = allowed(domain::access::Action::ManageUsers)?;
    let by = auth::users::ChangedBy::from(&principal);
    match auth::users::set_disabled(&pool()?, &by, store::users::UserId(id), disabled).await {
        Ok(_) => Ok(()),
        Err(error) => form_error(error),
    }
}

#[server(endpoint = "reset_user_password")]
pub async fn reset_user_password(id: i64) -> Result<IssuedPassword, ApiError> {
    use super::access::{allowed, passwords, pool};
    use auth::users::UserChangeError;

    let principal = allowed(domain::access::Action::ManageUsers)?;
    let by = auth::users::ChangedBy::from(&principal);
    let pool = pool()?;
    let id = store::users::UserId(id);
    match auth::users::reset_password(&pool, &passwords()?, &by, id, None).await {
        Ok(password) => {
            let user = store::users::find(&pool, id)
                .await?
                .ok_or_else(|| ApiError::not_found("no such user"))?;
            Ok(IssuedPassword {
                email: user.email.to_string(),
                password,
            })
        }
        Err(UserChangeError::NotFound) => Err(ApiError::not_found("no such user")),
        Err(error) => Err(ApiError::internal(error)),
    }
}

#[cfg(feature = "ssr")]
fn parse_role(raw: &str) -> Result<Role, String> {
    raw.parse::<Role>().map_err(|error| error.to_string())
}

#[cfg(feature = "ssr")]
fn parse_tenants(raw: &[String]) -> Result<Vec<domain::AppKey>, String> {
    raw.iter()
        .filter(|key| !key.trim().is_empty())
        .map(|key| domain::AppKey::parse(key).map_err(|error| error.to_string()))
        .collect()
}

/// Turns what a person can fix into field errors, and the rest into a server error.
#[cfg(feature = "ssr")]
fn form_error<T>(error: auth::users::UserChangeError) -> Result<T, ApiError> {
    use auth::users::UserChangeError;

    match error {
        UserChangeError::Conflict(email) => Err(ApiError::invalid(
            "email",
            format!("{email} already has an account"),
        )),
        UserChangeError::UnknownTenant(key) => Err(ApiError::invalid(
            "tenants",
            format!("no tenant has the workspace id {key}"),
        )),
        UserChangeError::LastAdmin => Err(ApiError::invalid("form", &error)),
        UserChangeError::NotFound => Err(ApiError::not_found("no such user")),
        error => Err(ApiError::internal(error)),
    }
}
