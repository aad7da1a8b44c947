//! How the forwarding workers run, from the environment.

use std::time::Duration;

use url::Url;

use super::schedule::RetrySchedule;
use crate::configuration::{parse_number, ConfigError, Source};

/// Enough for several tenants at their cap: a tenant needs about its rate times MoEngage's
/// latency in flight (450/s at 50 ms is 23).
const DEFAULT_WORKERS: u64 = 256;
/// MoEngage normally answers well under a second. A request that hangs holds one of its
/// tenant's slots until this runs out: with 32 slots and 2% of requests hanging, 3 s keeps
/// a tenant at 450 events/s (32 / (0.02 × 3 s) > 500 requests/s), 10 s would not (156).
const DEFAULT_TIMEOUT_SECS: u64 = 3;
const DEFAULT_TENANT_LEASE_SECS: u64 = 10;

#[derive(Debug, Clone)]
pub struct ForwardingSettings {
    /// Requests in flight at once across all tenants; 0 runs no workers in this process.
    pub workers: usize,
    /// Sends to this base URL instead of each tenant's data center (the simulator).
    pub base_url: Option<Url>,
    pub schedule: RetrySchedule,
    /// How long one request to MoEngage may take.
    pub timeout: Duration,
    /// How long a claimed event stays invisible to other workers.
    pub lease: Duration,
    /// How long a process's lease on a tenant lasts unless renewed (every third of it):
    /// how soon the other processes take over the tenants of one that died.
    pub tenant_lease: Duration,
    /// How often an idle worker pool looks for due events.
    pub poll: Duration,
    /// The most events claimed for one tenant at a time (a driver keeps about a second of
    /// its tenant's rate claimed ahead).
    pub claim_limit: u32,
}

impl Default for ForwardingSettings {
    fn default() -> Self {
        Self {
            workers: DEFAULT_WORKERS as usize,
            base_url: None,
            schedule: RetrySchedule::default(),
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            lease: Duration::from_secs(60),
            tenant_lease: Duration::from_secs(DEFAULT_TENANT_LEASE_SECS),
            poll: Duration::from_millis(100),
            claim_limit: 1000,
        }
    }
}

impl ForwardingSettings {
    pub fn from_source(source: &impl Source) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let base_url = source
            .get("DLRHUB_MOENGAGE_BASE_URL")
            .map(|raw| {
                Url::parse(raw.trim())
                    .ok()
                    .filter(|url| matches!(url.scheme(), "http" | "https"))
                    .ok_or_else(|| {
                        ConfigError::new(
                            "DLRHUB_MOENGAGE_BASE_URL",
                            format!("`{raw}` is not an http(s) URL"),
                        )
                    })
            })
            .transpose()?;
        let schedule = match source.get("DLRHUB_FORWARD_RETRY_SCHEDULE") {
            Some(raw) => raw
                .parse()
                .map_err(|problem| ConfigError::new("DLRHUB_FORWARD_RETRY_SCHEDULE", problem))?,
            None => defaults.schedule,
        };
        Ok(Self {
            workers: parse_number(source, "DLRHUB_FORWARD_WORKERS", DEFAULT_WORKERS, 0..=4096)?
                as usize,
            base_url,
            schedule,
            timeout: Duration::from_secs(parse_number(
                source,
                "DLRHUB_FORWARD_TIMEOUT_SECS",
                DEFAULT_TIMEOUT_SECS,
                1..=300,
            )?),
            lease: Duration::from_secs(parse_number(
                source,
                "DLRHUB_FORWARD_LEASE_SECS",
                60,
                1..=3600,
            )?),
            tenant_lease: Duration::from_secs(parse_number(
                source,
                "DLRHUB_FORWARD_TENANT_LEASE_SECS",
                DEFAULT_TENANT_LEASE_SECS,
                1..=600,
            )?),
            ..defaults
        })
    }
}
