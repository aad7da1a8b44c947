//! Callbacks from third parties: Sinch delivery reports at `POST /webhooks/sinch/{app_key}`.

mod basic_auth;
mod error;
pub(crate) mod signature;
mod sinch;

pub use sinch::{receive, MAX_BODY_BYTES};
