use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What an audit entry records. The stored code (`as_str`) never changes once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditAction {
    SignedIn,
    SignInFailed,
    SignedOutEverywhere,
    PasswordChanged,
    UserCreated,
    UserChanged,
    UserDisabled,
    UserEnabled,
    PasswordReset,
    TenantCreated,
    IntegrationEnabled,
    IntegrationDisabled,
    CallbackCredentialsRotated,
    HmacSecretChanged,
    DataApiKeyReplaced,
    ForwardingChanged,
    ReplayStarted,
    TenantDeleted,
    DeadLettersDiscarded,
}

impl AuditAction {
    pub const ALL: [AuditAction; 19] = [
        AuditAction::SignedIn,
        AuditAction::SignInFailed,
        AuditAction::SignedOutEverywhere,
        AuditAction::PasswordChanged,
        AuditAction::UserCreated,
        AuditAction::UserChanged,
        AuditAction::UserDisabled,
        AuditAction::UserEnabled,
        AuditAction::PasswordReset,
        AuditAction::TenantCreated,
        AuditAction::IntegrationEnabled,
        AuditAction::IntegrationDisabled,
        AuditAction::CallbackCredentialsRotated,
        AuditAction::HmacSecretChanged,
        AuditAction::DataApiKeyReplaced,
        AuditAction::ForwardingChanged,
        AuditAction::ReplayStarted,
        AuditAction::TenantDeleted,
        AuditAction::DeadLettersDiscarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignedIn => "signed_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::SignedOutEverywhere => "signed_out_everywhere",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::UserCreated => "user_created",
            AuditAction::UserChanged => "user_changed",
            AuditAction::UserDisabled => "user_disabled",
            AuditAction::UserEnabled => "user_enabled",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::TenantCreated => "tenant_created",
            AuditAction::IntegrationEnabled => "integration_enabled",
            AuditAction::IntegrationDisabled => "integration_disabled",
            AuditAction::CallbackCredentialsRotated => "callback_credentials_rotated",
            AuditAction::HmacSecretChanged => "hmac_secret_changed",
            AuditAction::DataApiKeyReplaced => "data_api_key_replaced",
            AuditAction::ForwardingChanged => "forwarding_changed",
            AuditAction::ReplayStarted => "replay_started",
            AuditAction::TenantDeleted => "tenant_deleted",
            AuditAction::DeadLettersDiscarded => "dead_letters_discarded",
        }
    }

    /// How the Audit page names the action.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::SignedIn => "Signed in",
            AuditAction::SignInFailed => "Sign-in failed",
            AuditAction::SignedOutEverywhere => "Signed out everywhere",
            AuditAction::PasswordChanged => "Password changed",
            AuditAction::UserCreated => "User added",
            AuditAction::UserChanged => "User changed",
            AuditAction::UserDisabled => "User disabled",
            AuditAction::UserEnabled => "User enabled",
            AuditAction::PasswordReset => "Password reset",
            AuditAction::TenantCreated => "Tenant registered",
            AuditAction::IntegrationEnabled => "Integration enabled",
            AuditAction::IntegrationDisabled => "Integration disabled",
            AuditAction::CallbackCredentialsRotated => "Callback credentials rotated",
            AuditAction::HmacSecretChanged => "HMAC secret changed",
            AuditAction::DataApiKeyReplaced => "Data API key replaced",
            AuditAction::ForwardingChanged => "Forwarding changed",
            AuditAction::ReplayStarted => "Replay started",
            AuditAction::TenantDeleted => "Tenant deleted",
            AuditAction::DeadLettersDiscarded => "Dead letters discarded",
        }
    }
}

impl FromStr for AuditAction {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        AuditAction::ALL
            .into_iter()
            .find(|action| action.as_str() == raw)
            .ok_or_else(|| format!("unknown audit action `{raw}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_code() {
        for action in AuditAction::ALL {
            assert_eq!(action.as_str().parse::<AuditAction>(), Ok(action));
        }
    }
}
