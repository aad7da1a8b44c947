//! How the forwarding workers run, from the environment.

use std::time::Duration;

use url::Url;

use super::schedule::RetrySchedule;
use crate::configuration::{parse_number, ConfigError, Source};

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
    /// How often an idle worker pool looks for due events.
    pub poll: Duration,
    /// The most events claimed for one tenant at a time.
    pub claim_limit: u32,
}

impl Default for ForwardingSettings {
    fn default() -> Self {
        Self {
            workers: 8,
            base_url: None,
            schedule: RetrySchedule::default(),
            timeout: Duration::from_secs(10),
            lease: Duration::from_secs(60),
            poll: Duration::from_millis(100),
            claim_limit: 200,
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
            workers: parse_number(source, "DLRHUB_FORWARD_WORKERS", 8, 0..=1024)? as usize,
            base_url,
            schedule,
            timeout: Duration::from_secs(parse_number(
                source,
                "DLRHUB_FORWARD_TIMEOUT_SECS",
                10,
                1..=300,
            )?),
            lease: Duration::from_secs(parse_number(
                source,
                "DLRHUB_FORWARD_LEASE_SECS",
                60,
                1..=3600,
            )?),
            ..defaults
        })
    }
}
