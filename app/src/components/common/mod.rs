mod copy_button;
mod error_panel;
mod field;
mod require_action;
mod service_status_card;

pub use copy_button::CopyButton;
pub use error_panel::ErrorPanel;
pub use field::FieldError;
pub use require_action::RequireAction;
pub use service_status_card::ServiceStatusCard;
