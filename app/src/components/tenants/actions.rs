use leptos::prelude::*;

use crate::api::self_checks::{SendTestReport, TestTenantCredentials};
use crate::api::tenant_settings::{
    DeleteTenant, ReplaceDataApiKey, RotateCallbackCredentials, SetForwarding, SetHmacSigning,
};
use crate::api::tenants::SetIntegration;

/// Everything a tenant's page can do, created once by the page: the tabs re-render when
/// the tenant is read again, and answers such as a new HMAC secret (shown once) must
/// outlive that.
#[derive(Clone, Copy)]
pub struct TenantActions {
    pub toggle: ServerAction<SetIntegration>,
    pub rotate: ServerAction<RotateCallbackCredentials>,
    pub hmac: ServerAction<SetHmacSigning>,
    pub replace_key: ServerAction<ReplaceDataApiKey>,
    pub forwarding: ServerAction<SetForwarding>,
    pub test_key: ServerAction<TestTenantCredentials>,
    pub send_report: ServerAction<SendTestReport>,
    pub delete: ServerAction<DeleteTenant>,
}

impl TenantActions {
    pub fn new() -> Self {
        Self {
            toggle: ServerAction::new(),
            rotate: ServerAction::new(),
            hmac: ServerAction::new(),
            replace_key: ServerAction::new(),
            forwarding: ServerAction::new(),
            test_key: ServerAction::new(),
            send_report: ServerAction::new(),
            delete: ServerAction::new(),
        }
    }

    /// Changes after which the tenant is read again.
    pub fn changes(&self) -> usize {
        self.toggle.version().get()
            + self.rotate.version().get()
            + self.hmac.version().get()
            + self.replace_key.version().get()
            + self.forwarding.version().get()
    }
}

impl Default for TenantActions {
    fn default() -> Self {
        Self::new()
    }
}
