//! dlrhub's domain: what Sinch sends, what it means, and what MoEngage receives.
//!
//! Everything here is pure (no I/O, no clock), so the webhook, the workers, the CLI and
//! the browser build share one definition. Values that cannot be built invalid are
//! newtypes with a `parse` constructor (`AppKey`, `CustomerId`, `Msisdn`).

pub mod access;
mod app_key;
mod client_reference;
mod customer_id;
mod data_center;
mod event;
mod forward_state;
pub mod forwarding_limits;
mod msisdn;
mod report;
pub mod shown_time;
mod status;

pub use app_key::{AppKey, AppKeyError};
pub use client_reference::ClientReference;
pub use customer_id::{CustomerId, UidRejection};
pub use data_center::{DataCenter, DataCenterError};
pub use event::EventKind;
pub use forward_state::ForwardState;
pub use msisdn::{mask_numbers_in, Msisdn, MsisdnError};
pub use report::{Channel, Observation, ReportError, SinchReport};
pub use status::DeliveryStatus;
