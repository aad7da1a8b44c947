mod confirm;
mod copy_button;
mod data_table;
mod error_panel;
mod field;
mod require_action;
mod service_status_card;
mod state_chip;

pub use confirm::Confirm;
pub use copy_button::CopyButton;
pub use data_table::DataTable;
pub use error_panel::{ErrorPanel, LoadError};
pub use field::{FieldError, NumberField, PasswordField};
pub use require_action::RequireAction;
pub use service_status_card::ServiceStatusCard;
pub use state_chip::StateChip;
