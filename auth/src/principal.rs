//! The signed-in user behind a request, and what they may see and do.

use domain::access::{Action, Email, Role};
use store::audit::Actor;
use store::tenants::{Tenant, TenantId};
use store::users::UserId;
use store::PgPool;
use tower_sessions::Session;

use crate::session::{self, SessionError, SessionPolicy};

/// Which tenants a user may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantScope {
    All,
    /// A viewer's assigned tenants (possibly none).
    Only(Vec<TenantId>),
}

/// The user making this request. Built only from a live session ([`resolve`]), so holding
/// one proves who is asking; what they may do is then asked of it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub id: UserId,
    pub email: Email,
    pub role: Role,
    pub scope: TenantScope,
    /// The address the request came from, for the audit log.
    pub source_ip: Option<String>,
}

impl Principal {
    pub fn may(&self, action: Action) -> bool {
        self.role.allows(action)
    }

    pub fn sees_tenant(&self, tenant: TenantId) -> bool {
        match &self.scope {
            TenantScope::All => true,
            TenantScope::Only(tenants) => tenants.contains(&tenant),
        }
    }

    /// The tenant ids to limit a query to; None for every tenant.
    pub fn visible_tenants(&self) -> Option<&[TenantId]> {
        match &self.scope {
            TenantScope::All => None,
            TenantScope::Only(tenants) => Some(tenants),
        }
    }

    /// The tenants this user sees, by name: what every page across tenants lists.
    pub async fn tenants(&self, pool: &PgPool) -> Result<Vec<Tenant>, sqlx::Error> {
        let mut tenants = store::tenants::list(pool).await?;
        tenants.retain(|tenant| self.sees_tenant(tenant.id));
        Ok(tenants)
    }

    pub fn actor(&self) -> Actor {
        Actor::User {
            id: self.id,
            email: self.email.to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("could not read the signed-in user")]
    Database(#[from] sqlx::Error),
}

/// The signed-in user of `session`, or None. A session that outlived its absolute limit,
/// whose user is disabled or gone, or whose epoch is behind the user's, is ended here.
pub async fn resolve(
    pool: &PgPool,
    session: &Session,
    policy: &SessionPolicy,
    source_ip: Option<String>,
) -> Result<Option<Principal>, ResolveError> {
    let Some(signed_in) = session::current(session).await? else {
        return Ok(None);
    };
    if signed_in.expired(policy, chrono::Utc::now()) {
        session::end(session).await?;
        return Ok(None);
    }
    let account = store::users::account(pool, signed_in.user_id).await?;
    let Some(account) = account.filter(|a| !a.disabled && a.session_epoch == signed_in.epoch)
    else {
        session::end(session).await?;
        return Ok(None);
    };
    let scope = if account.role.sees_all_tenants() {
        TenantScope::All
    } else {
        TenantScope::Only(account.tenant_ids)
    };
    Ok(Some(Principal {
        id: account.id,
        email: account.email,
        role: account.role,
        scope,
        source_ip,
    }))
}
