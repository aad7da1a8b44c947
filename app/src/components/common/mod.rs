mod error_panel;
mod service_status_card;

pub use error_panel::ErrorPanel;
pub use service_status_card::ServiceStatusCard;
