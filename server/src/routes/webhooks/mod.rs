//! Callbacks from third parties: Sinch delivery reports at `POST /webhooks/sinch/{app_key}`.

mod basic_auth;
mod error;
mod refusals;
mod sinch;
mod unknown;

pub use refusals::RefusedCalls;
pub use sinch::{receive, MAX_BODY_BYTES};
pub use unknown::{UnknownWorkspaces, RECORD_AFTER};
