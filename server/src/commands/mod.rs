//! The `dlrhub` subcommands, and what several of them share: reading a workspace id, and
//! who the audit log names for a change made at the command line.

use anyhow::Context;
use auth::users::ChangedBy;
use domain::AppKey;
use store::audit::Actor;

pub mod dev;
pub mod events;
pub mod migrate;
pub mod secrets;
pub mod serve;
pub mod tenant;
pub mod user;

pub(crate) fn parse_app_key(raw: &str) -> anyhow::Result<AppKey> {
    AppKey::parse(raw).with_context(|| format!("`{raw}` is not a MoEngage workspace id"))
}

/// The operator, as far as the OS knows them: who the audit log names for a change made
/// here.
pub(crate) fn command_line() -> ChangedBy {
    ChangedBy {
        actor: Actor::CommandLine { os_user: os_user() },
        source_ip: None,
    }
}

/// The login name of whoever runs this command, when the environment says.
pub(crate) fn os_user() -> Option<String> {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|user| !user.is_empty())
}
