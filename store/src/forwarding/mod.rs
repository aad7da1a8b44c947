//! Forwarding events to MoEngage, as the data layer sees it: the queue of events (claims,
//! attempts, pauses, replays) and each tenant's forwarding settings.

mod profile;
mod queue;

pub use profile::{configure, profile, ForwardingChanges, ForwardingProfile, ProfileError};
pub use queue::{
    claim, due_tenants, pause_tenant, queue_depth, record, release, replay, Attempt, ClaimedEvent,
    Outcome, QueueDepth, ReplaySelection,
};
