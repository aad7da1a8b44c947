//! Structured logs through `tracing`: readable in development, JSON in production; and
//! the metrics (`metrics`).

pub mod metrics;

use tracing_subscriber::EnvFilter;

use crate::configuration::{ConfigError, Environment, Source};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

impl LogFormat {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(&Environment)
    }

    pub fn from_source(source: &impl Source) -> Result<Self, ConfigError> {
        match source.get("DLRHUB_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("pretty") => Ok(Self::Pretty),
            Some("json") => Ok(Self::Json),
            Some(other) => Err(ConfigError {
                variable: "DLRHUB_LOG_FORMAT",
                problem: format!("`{other}` is neither `pretty` nor `json`"),
            }),
        }
    }
}

/// Without `RUST_LOG`: informational logs, minus the notices Postgres sends while
/// migrating an up-to-date schema ("relation already exists, skipping").
const DEFAULT_FILTER: &str = "info,sqlx::postgres::notice=warn";

/// Installs the global subscriber. `RUST_LOG` filters. Calling it twice, as tests do,
/// keeps the first subscriber.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _already_set = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}
