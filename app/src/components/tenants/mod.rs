//! Pieces of the tenant pages.

mod actions;
mod activity_tab;
mod credentials;
mod events_table;
mod forwarding_now;
mod forwarding_panel;
mod probe_answer;
mod register_form;
mod self_check;
mod settings_tab;
mod setup_tab;

pub use actions::TenantActions;
pub use activity_tab::{ActivityTab, ChartsResource};
pub use credentials::Credentials;
pub use events_table::{
    kind_chip, state_chip, EventRow, EventsResource, EventsTable, COLUMNS_WITH_TENANT,
};
pub use forwarding_now::ForwardingNow;
pub use forwarding_panel::ForwardingPanel;
pub use probe_answer::ProbeAnswer;
pub use register_form::RegisterForm;
pub use self_check::SelfCheck;
pub use settings_tab::SettingsTab;
pub use setup_tab::SetupTab;
