//! Forwarding events to MoEngage, as the data layer sees it: the queue of events (claims,
//! attempts, pauses, replays), who drives each tenant (leases) and each tenant's
//! forwarding settings. The requests themselves are built in `crate::moengage`.

mod dead_letters;
pub mod leases;
mod profile;
mod queue;

pub use dead_letters::{
    discard, groups, in_group, replay, replay_progress, DeadLetterGroup, Replay, ReplayProgress,
    ReplaySelection,
};
pub use profile::{
    configure, open_api_key, profile, ForwardingChanges, ForwardingProfile, ProfileError,
};
pub use queue::{
    claim, pause_tenant, queue_depth, record, release, Attempt, ClaimedEvent, Outcome, QueueDepth,
    REFUSED_KEY_REASON,
};
