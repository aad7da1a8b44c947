use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a console user is allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Does everything, and manages users.
    Admin,
    /// Customer success: manages tenants, replays, inspects events.
    Support,
    /// Read-only, limited to the tenants assigned to them, phone numbers masked.
    Viewer,
}

/// Everything the console lets someone do, each checked against the role on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See tenants and their events (within the user's tenant scope).
    ViewEvents,
    /// See phone numbers in full rather than masked.
    ViewFullPhoneNumbers,
    /// Register tenants, enable and disable integrations, rotate credentials.
    ManageTenants,
    /// Replay or discard dead letters.
    Replay,
    /// Add users, change their roles and tenants, disable them, reset their passwords.
    ManageUsers,
    /// Read the audit log.
    ViewAudit,
    /// Read the Prometheus metrics from the console's session.
    ViewMetrics,
    /// Start the demo: a workspace of its own fed simulated Sinch traffic (only where
    /// forwarding goes to the MoEngage simulator).
    RunDemo,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::ViewEvents,
        Action::ViewFullPhoneNumbers,
        Action::ManageTenants,
        Action::Replay,
        Action::ManageUsers,
        Action::ViewAudit,
        Action::ViewMetrics,
        Action::RunDemo,
    ];
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Support, Role::Viewer];

    /// The single table of who may do what.
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => true,
            Role::Support => matches!(
                action,
                ViewEvents | ViewFullPhoneNumbers | ManageTenants | Replay | ViewMetrics
            ),
            Role::Viewer => matches!(action, ViewEvents),
        }
    }

    /// Whether the role sees every tenant; a viewer sees only the tenants assigned to them.
    pub fn sees_all_tenants(self) -> bool {
        !matches!(self, Role::Viewer)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Support => "support",
            Role::Viewer => "viewer",
        }
    }

    /// How the console names the role.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Support => "Support",
            Role::Viewer => "Viewer",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`: expected admin, support or viewer")]
pub struct RoleError(pub String);

impl FromStr for Role {
    type Err = RoleError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "support" => Ok(Role::Support),
            "viewer" => Ok(Role::Viewer),
            _ => Err(RoleError(raw.to_owned())),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_may_do_everything() {
        assert!(Action::ALL.iter().all(|&action| Role::Admin.allows(action)));
    }

    #[test]
    fn support_manages_tenants_but_not_users() {
        assert!(Role::Support.allows(Action::ManageTenants));
        assert!(Role::Support.allows(Action::Replay));
        assert!(!Role::Support.allows(Action::ManageUsers));
        assert!(!Role::Support.allows(Action::ViewAudit));
    }

    #[test]
    fn viewer_only_views_events_masked() {
        let allowed: Vec<_> = Action::ALL
            .into_iter()
            .filter(|&action| Role::Viewer.allows(action))
            .collect();
        assert_eq!(allowed, [Action::ViewEvents]);
        assert!(!Role::Viewer.sees_all_tenants());
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!(" Viewer ".parse::<Role>(), Ok(Role::Viewer));
        assert!("root".parse::<Role>().is_err());
    }
}
