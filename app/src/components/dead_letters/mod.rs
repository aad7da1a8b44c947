//! The dead letters page's parts: the replay and discard forms, the events of a group to
//! choose from, and a replay's progress.

mod chosen_events;
mod forms;
mod replay_progress;

pub use chosen_events::ChosenEvents;
pub use forms::{DiscardAnswer, DiscardForm, ReplayForm};
pub use replay_progress::ReplayProgressPanel;
