//! What is happening, for the overview, the tenants list and a tenant's page: counts over
//! the last 24 hours and 7 days, reports per hour by outcome, forwarding health, and what
//! needs someone's attention. All within the user's tenant scope. One module per page
//! served; what they share is here, and the server-side arithmetic in `ssr`.

use serde::{Deserialize, Serialize};

mod charts;
mod overview;
#[cfg(feature = "ssr")]
mod ssr;
mod tenants_list;

pub use charts::*;
pub use overview::*;
#[cfg(feature = "ssr")]
pub(crate) use ssr::{age, forwarding_now, moment};
pub use tenants_list::*;

/// Counts over a window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub received: i64,
    pub rejected: i64,
    pub forwarded: i64,
    pub dead_lettered: i64,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
}

impl Counts {
    /// Failed among the messages that reached a final status, in percent.
    pub fn failed_percent(&self) -> Option<f64> {
        let finished = self.delivered + self.failed;
        (finished > 0).then(|| self.failed as f64 * 100.0 / finished as f64)
    }

    #[cfg(feature = "ssr")]
    fn add(&mut self, other: &Counts) {
        self.received += other.received;
        self.rejected += other.rejected;
        self.forwarded += other.forwarded;
        self.dead_lettered += other.dead_lettered;
        self.sent += other.sent;
        self.delivered += other.delivered;
        self.failed += other.failed;
    }
}

/// A moment, as the console shows it: relative, with the exact UTC time on hover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moment {
    pub iso: String,
    pub relative: String,
    pub exact: String,
}

/// How a tenant's forwarding is going right now, from the process that drives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardingNow {
    /// Events per second MoEngage accepted over the last few seconds.
    pub rate_now: u32,
    /// Events waiting to be forwarded (sampled every few seconds).
    pub waiting: i64,
    /// How long the backlog takes to drain at the current rate ("4 min"), when there is
    /// one and anything is moving.
    pub drain_eta: Option<String>,
    /// The backlog grew over the last five to ten minutes.
    pub growing: bool,
    /// MoEngage has been failing (5xx, no answer) for the workspace since then.
    pub failing_since: Option<Moment>,
}

/// How a tenant's forwarding is doing, worst first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Health {
    /// MoEngage refused the Data API key; nothing is sent until it is replaced.
    Paused {
        reason: String,
    },
    /// MoEngage keeps failing for the workspace: one request at a time probes it.
    Failing {
        since: Moment,
    },
    /// Events have waited more than a minute.
    Backlog {
        events: i64,
        since: Moment,
    },
    Ok,
}

/// One bar of a chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourPoint {
    pub label: String,
    pub exact: String,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
    pub rejected: i64,
}
