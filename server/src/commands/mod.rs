//! The `dlrhub` subcommands, and what several of them share: reading a workspace id, and
//! who the audit log names for a change made at the command line.

use anyhow::Context;
use domain::access::AuditAction;
use domain::AppKey;
use serde_json::Value;
use store::audit::{Actor, AuditEntry};
use store::tenants::Tenant;

pub mod dev;
pub mod events;
pub mod migrate;
pub mod secrets;
pub mod serve;
pub mod tenant;
pub mod user;

/// Records a change to `tenant` made here in the audit log, as the command line's (never
/// a secret).
pub(crate) async fn audit(
    pool: &store::PgPool,
    action: AuditAction,
    tenant: &Tenant,
    before: Option<Value>,
    after: Option<Value>,
) -> anyhow::Result<()> {
    let entry = AuditEntry::new(command_line(), action)
        .target(tenant.app_key.to_string())
        .tenant(tenant.id)
        .change(before, after);
    store::audit::record(pool, &entry)
        .await
        .context("writing the audit log")
}

pub(crate) fn parse_app_key(raw: &str) -> anyhow::Result<AppKey> {
    AppKey::parse(raw).with_context(|| format!("`{raw}` is not a MoEngage workspace id"))
}

/// Who a tenant's own record names for changes made from the command line (`cli:<user>`).
pub(crate) fn operator() -> String {
    match os_user() {
        Some(user) => format!("cli:{user}"),
        None => "cli".to_owned(),
    }
}

/// The operator, as far as the OS knows them.
pub(crate) fn command_line() -> Actor {
    Actor::CommandLine { os_user: os_user() }
}

/// The login name of whoever runs this command, when the environment says.
pub(crate) fn os_user() -> Option<String> {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|user| !user.is_empty())
}
