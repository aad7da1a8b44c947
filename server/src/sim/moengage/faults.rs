//! Faults the MoEngage simulator injects, settable at start and at run time.

use std::time::Duration;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::MoengageArgs;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Faults {
    /// Share of requests (0 to 1) answered `error_status`.
    pub error_rate: f64,
    /// The status of simulated failures; 500 unless set.
    pub error_status: Option<u16>,
    /// The next this many requests are answered `error_status`, then the count runs out.
    pub fail_next: u32,
    /// Share of requests (0 to 1) never answered.
    pub timeout_rate: f64,
    /// Added to every answer.
    pub latency_ms: u64,
    /// Every request is answered 503 while this is on.
    pub outage: bool,
    /// Only these workspaces suffer the faults (all when empty): one workspace's brownout.
    pub workspaces: Vec<String>,
}

/// What happens to one request.
pub(super) struct Fault {
    pub latency: Option<Duration>,
    pub hang: bool,
    pub status: Option<StatusCode>,
}

impl Faults {
    pub(super) fn from_args(args: &MoengageArgs) -> Self {
        Self {
            error_rate: args.error_rate,
            timeout_rate: args.timeout_rate,
            latency_ms: args.latency_ms,
            ..Self::default()
        }
    }

    /// `draws` is the position in a fixed pseudo-random sequence, so that a run with the
    /// same faults repeats.
    pub(super) fn draw(&mut self, workspace: &str, draws: &mut u64) -> Fault {
        if !self.workspaces.is_empty() && !self.workspaces.iter().any(|w| w == workspace) {
            return Fault {
                latency: None,
                hang: false,
                status: None,
            };
        }
        let status = StatusCode::from_u16(self.error_status.unwrap_or(500))
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let failing = if self.outage {
            Some(StatusCode::SERVICE_UNAVAILABLE)
        } else if self.fail_next > 0 {
            self.fail_next -= 1;
            Some(status)
        } else if roll(draws) < self.error_rate {
            Some(status)
        } else {
            None
        };
        Fault {
            latency: (self.latency_ms > 0).then(|| Duration::from_millis(self.latency_ms)),
            hang: failing.is_none() && roll(draws) < self.timeout_rate,
            status: failing,
        }
    }
}

/// A number in [0, 1), the next of a fixed sequence (SplitMix64).
fn roll(draws: &mut u64) -> f64 {
    *draws = draws.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *draws;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as f64 / u64::MAX as f64
}
