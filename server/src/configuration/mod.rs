//! Settings from environment variables, validated once at start-up.
//!
//! Every problem names the variable and says what is wrong with its value, so a bad
//! deployment stops at once with a message an operator can act on.

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use base64::Engine;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sqlx::postgres::PgConnectOptions;
use store::{PgPool, PoolSettings, ReadPool};
use url::Url;

mod access;

pub use access::AccessSettings;

use crate::telemetry::LogFormat;
use crate::workers::forwarding::ForwardingSettings;

/// A variable whose value cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl ConfigError {
    pub(crate) fn new(variable: &'static str, problem: impl Into<String>) -> Self {
        Self {
            variable,
            problem: problem.into(),
        }
    }
}

/// Where a setting's raw value comes from: the process environment, or a map in tests.
pub trait Source {
    fn get(&self, variable: &str) -> Option<String>;
}

/// The process environment. Empty values count as unset.
pub struct Environment;

impl Source for Environment {
    fn get(&self, variable: &str) -> Option<String> {
        std::env::var(variable)
            .ok()
            .filter(|v| !v.trim().is_empty())
    }
}

impl<F: Fn(&str) -> Option<String>> Source for F {
    fn get(&self, variable: &str) -> Option<String> {
        self(variable)
    }
}

/// Everything `dlrhub serve` needs.
#[derive(Debug)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub listen_addr: SocketAddr,
    /// Base of the URLs handed to people outside, such as Sinch callback URLs.
    pub public_url: Url,
    pub log_format: LogFormat,
    pub master_key: MasterKey,
    /// Keys secrets may still be sealed under, during a master key rotation.
    pub previous_master_keys: Vec<MasterKey>,
    /// How long in-flight requests may run on after a stop signal.
    pub shutdown_grace: Duration,
    /// How long reports, messages and events are kept.
    pub retention: Duration,
    /// How long Sinch's raw reports are kept: never longer than `retention`.
    pub raw_retention: Duration,
    /// How often the console's hourly counts are rolled up (tests make it shorter).
    pub roll_up_every: Duration,
    pub site: SiteSettings,
    pub role: Role,
    pub forwarding: ForwardingSettings,
    pub access: AccessSettings,
}

/// What one `dlrhub serve` process does, so that webhook traffic and forwarding can be
/// scaled apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The console, the webhook and the forwarding workers.
    All,
    /// The console and the webhook; no forwarding.
    Api,
    /// Forwarding only; HTTP serves just the health checks and metrics.
    Workers,
}

impl Role {
    fn from_source(source: &impl Source) -> Result<Self, ConfigError> {
        match source.get("DLRHUB_ROLE").as_deref().map(str::trim) {
            None | Some("all") => Ok(Self::All),
            Some("api") => Ok(Self::Api),
            Some("workers") => Ok(Self::Workers),
            Some(other) => Err(ConfigError::new(
                "DLRHUB_ROLE",
                format!("`{other}` is not one of all, api, workers"),
            )),
        }
    }

    pub fn serves_api(self) -> bool {
        self != Self::Workers
    }

    pub fn forwards(self) -> bool {
        self != Self::Api
    }
}

/// Where the built site (wasm, JS, CSS, assets) lies. cargo-leptos sets these variables
/// when it runs the server; a deployed binary gets them from its unit file.
#[derive(Debug, Clone)]
pub struct SiteSettings {
    pub root: String,
    pub reload_port: u32,
}

impl Settings {
    /// Seals with the master key; opens with it or with a previous one.
    pub fn cipher(&self) -> store::Cipher {
        let previous: Vec<&[u8; 32]> = self
            .previous_master_keys
            .iter()
            .map(MasterKey::expose)
            .collect();
        store::Cipher::with_previous(self.master_key.expose(), &previous)
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(&Environment)
    }

    pub fn from_source(source: &impl Source) -> Result<Self, ConfigError> {
        // cargo-leptos tells a server it runs where to listen through LEPTOS_SITE_ADDR.
        let listen_addr = match source.get("DLRHUB_LISTEN_ADDR") {
            Some(raw) => parse_socket_addr("DLRHUB_LISTEN_ADDR", &raw)?,
            None => match source.get("LEPTOS_SITE_ADDR") {
                Some(raw) => parse_socket_addr("LEPTOS_SITE_ADDR", &raw)?,
                None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            },
        };
        let public_url = match source.get("DLRHUB_PUBLIC_URL") {
            Some(raw) => parse_public_url(&raw)?,
            None => Url::parse(&format!("http://{listen_addr}/"))
                .map_err(|e| ConfigError::new("DLRHUB_LISTEN_ADDR", e.to_string()))?,
        };
        let master_key = source
            .get("DLRHUB_MASTER_KEY")
            .ok_or_else(|| {
                ConfigError::new(
                    "DLRHUB_MASTER_KEY",
                    "is not set; generate one with `openssl rand -base64 32`",
                )
            })
            .and_then(|raw| MasterKey::parse(&raw))?;
        let previous_master_keys = source
            .get("DLRHUB_PREVIOUS_MASTER_KEYS")
            .unwrap_or_default()
            .split(',')
            .filter(|raw| !raw.trim().is_empty())
            .map(|raw| MasterKey::parse_for("DLRHUB_PREVIOUS_MASTER_KEYS", raw))
            .collect::<Result<Vec<_>, _>>()?;
        let access = AccessSettings::from_source(source, &public_url)?;
        let retention_days = parse_number(source, "DLRHUB_RETENTION_DAYS", 90, 1..=3650)?;
        Ok(Self {
            database: DatabaseSettings::from_source(source)?,
            listen_addr,
            public_url,
            log_format: LogFormat::from_source(source)?,
            master_key,
            previous_master_keys,
            shutdown_grace: Duration::from_secs(parse_number(
                source,
                "DLRHUB_SHUTDOWN_GRACE_SECS",
                30,
                0..=3600,
            )?),
            retention: Duration::from_secs(24 * 3600 * retention_days),
            raw_retention: Duration::from_secs(
                24 * 3600
                    * parse_number(source, "DLRHUB_RAW_RETENTION_DAYS", 14, 1..=3650)?
                        .min(retention_days),
            ),
            roll_up_every: crate::workers::activity::EVERY,
            site: SiteSettings {
                root: source
                    .get("LEPTOS_SITE_ROOT")
                    .unwrap_or_else(|| "target/site".to_owned()),
                reload_port: u32::try_from(parse_number(
                    source,
                    "LEPTOS_RELOAD_PORT",
                    3001,
                    1..=65535,
                )?)
                .unwrap_or(3001),
            },
            role: Role::from_source(source)?,
            forwarding: ForwardingSettings::from_source(source)?,
            access,
        })
    }
}

/// The database connection and pool sizes: all `dlrhub migrate` needs.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub connect_options: PgConnectOptions,
    pub pool: PoolSettings,
    /// A read replica for the console's heavy reads (`DLRHUB_READ_DATABASE_URL`).
    pub read_connect_options: Option<PgConnectOptions>,
}

impl DatabaseSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(&Environment)
    }

    pub fn from_source(source: &impl Source) -> Result<Self, ConfigError> {
        let connect_options = postgres_url(source, "DATABASE_URL")?.ok_or_else(|| {
            ConfigError::new(
                "DATABASE_URL",
                "is not set; e.g. postgres://user:password@127.0.0.1:5432/dlrhub",
            )
        })?;
        let read_connect_options = postgres_url(source, "DLRHUB_READ_DATABASE_URL")?;
        let defaults = PoolSettings::default();
        let max_connections = parse_number(
            source,
            "DLRHUB_DB_MAX_CONNECTIONS",
            u64::from(defaults.max_connections),
            1..=1000,
        )?;
        let min_connections = parse_number(
            source,
            "DLRHUB_DB_MIN_CONNECTIONS",
            u64::from(defaults.min_connections),
            0..=max_connections,
        )?;
        let acquire_timeout = parse_number(
            source,
            "DLRHUB_DB_ACQUIRE_TIMEOUT_SECS",
            defaults.acquire_timeout.as_secs(),
            1..=300,
        )?;
        Ok(Self {
            connect_options,
            read_connect_options,
            pool: PoolSettings {
                // Both are bounded by 1000 above, so they fit.
                max_connections: u32::try_from(max_connections).unwrap_or(u32::MAX),
                min_connections: u32::try_from(min_connections).unwrap_or(u32::MAX),
                acquire_timeout: Duration::from_secs(acquire_timeout),
            },
        })
    }

    pub fn pool(&self) -> PgPool {
        store::connect(self.connect_options.clone(), self.pool)
    }

    /// The replica's pool (as large as the primary's), or `primary` when there is none.
    pub fn read_pool(&self, primary: &PgPool) -> ReadPool {
        ReadPool::new(match &self.read_connect_options {
            Some(options) => store::connect(options.clone(), self.pool),
            None => primary.clone(),
        })
    }
}

/// The PostgreSQL URL in `variable`, if it is set.
fn postgres_url(
    source: &impl Source,
    variable: &'static str,
) -> Result<Option<PgConnectOptions>, ConfigError> {
    let Some(url) = source.get(variable).map(SecretString::from) else {
        return Ok(None);
    };
    if !["postgres://", "postgresql://"]
        .iter()
        .any(|scheme| url.expose_secret().starts_with(scheme))
    {
        return Err(ConfigError::new(
            variable,
            "must start with postgres:// or postgresql://",
        ));
    }
    let options = PgConnectOptions::from_str(url.expose_secret())
        .map_err(|e| ConfigError::new(variable, format!("is not a PostgreSQL URL: {e}")))?
        .application_name("dlrhub");
    Ok(Some(options))
}

/// The key that encrypts secrets at rest (MoEngage Data API keys): 32 random bytes.
pub struct MasterKey(SecretBox<[u8; 32]>);

impl MasterKey {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        Self::parse_for("DLRHUB_MASTER_KEY", raw)
    }

    fn parse_for(variable: &'static str, raw: &str) -> Result<Self, ConfigError> {
        let problem = |what: &str| {
            ConfigError::new(
                variable,
                format!("{what}; expected the base64 of 32 random bytes, e.g. from `openssl rand -base64 32`"),
            )
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(raw.trim())
            .map_err(|_| problem("is not valid base64"))?;
        let key: [u8; 32] = bytes.try_into().map_err(|bytes: Vec<u8>| {
            problem(&format!("decodes to {} bytes, not 32", bytes.len()))
        })?;
        Ok(Self(SecretBox::new(Box::new(key))))
    }

    pub fn expose(&self) -> &[u8; 32] {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

fn parse_socket_addr(variable: &'static str, raw: &str) -> Result<SocketAddr, ConfigError> {
    raw.trim().parse().map_err(|_| {
        ConfigError::new(
            variable,
            format!(
                "`{raw}` is not an address to listen on; expected IP:PORT, e.g. 127.0.0.1:3000"
            ),
        )
    })
}

fn parse_public_url(raw: &str) -> Result<Url, ConfigError> {
    let problem = |what: &str| {
        ConfigError::new(
            "DLRHUB_PUBLIC_URL",
            format!("`{raw}` {what}; expected a base URL such as https://dlrhub.example.com"),
        )
    };
    let mut url = Url::parse(raw.trim()).map_err(|e| problem(&format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(problem("does not start with http:// or https://"));
    }
    if url.host_str().is_none() || url.query().is_some() || url.fragment().is_some() {
        return Err(problem("must have a host and no query or fragment"));
    }
    // A trailing slash lets callers join relative paths without losing the last segment.
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    Ok(url)
}

pub(crate) fn parse_number(
    source: &impl Source,
    variable: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let Some(raw) = source.get(variable) else {
        return Ok(default);
    };
    let value: u64 = raw
        .trim()
        .parse()
        .map_err(|_| ConfigError::new(variable, format!("`{raw}` is not a whole number")))?;
    if !range.contains(&value) {
        return Err(ConfigError::new(
            variable,
            format!(
                "{value} is out of range; expected {} to {}",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let mut vars: HashMap<String, String> = HashMap::from([
            (
                "DATABASE_URL".into(),
                "postgres://postgres@127.0.0.1:5432/dlrhub".into(),
            ),
            ("DLRHUB_MASTER_KEY".into(), KEY.into()),
        ]);
        for (name, value) in pairs {
            vars.insert((*name).into(), (*value).into());
        }
        Settings::from_source(&|name: &str| vars.get(name).cloned())
    }

    fn failing_variable(pairs: &[(&str, &str)]) -> &'static str {
        settings(pairs)
            .expect_err("the settings should be refused")
            .variable
    }

    #[test]
    fn raw_reports_are_kept_14_days_and_never_longer_than_the_rest() {
        let days = |settings: Settings| {
            (
                settings.retention.as_secs() / 86_400,
                settings.raw_retention.as_secs() / 86_400,
            )
        };
        assert_eq!(days(settings(&[]).expect("defaults")), (90, 14));
        let short = settings(&[("DLRHUB_RETENTION_DAYS", "7")]).expect("valid");
        assert_eq!(days(short), (7, 7));
        let long = settings(&[("DLRHUB_RAW_RETENTION_DAYS", "30")]).expect("valid");
        assert_eq!(days(long), (90, 30));
    }

    #[test]
    fn session_cookies_are_secure_unless_relaxed() {
        let defaults = settings(&[]).expect("defaults are valid").access;
        assert!(defaults.secure_cookies);
        assert_eq!(defaults.session.idle, Duration::from_secs(2 * 3600));
        assert_eq!(defaults.session.absolute, Duration::from_secs(12 * 3600));
        assert_eq!(defaults.first_admin_email.as_str(), "admin@dlrhub.local");
        let relaxed = settings(&[("DLRHUB_SECURE_COOKIES", "false")]).expect("valid");
        assert!(!relaxed.access.secure_cookies);
        for (variable, value) in [
            ("DLRHUB_SECURE_COOKIES", "maybe"),
            ("DLRHUB_SESSION_IDLE_MINUTES", "0"),
            ("DLRHUB_ADMIN_EMAIL", "not-an-email"),
            ("DLRHUB_CLIENT_IP_HEADER", "not a header"),
        ] {
            assert_eq!(failing_variable(&[(variable, value)]), variable);
        }
    }

    #[test]
    fn defaults_listen_on_localhost_3000_with_a_matching_public_url() {
        let settings = settings(&[]).expect("defaults are valid");
        assert_eq!(settings.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(settings.public_url.as_str(), "http://127.0.0.1:3000/");
        assert_eq!(settings.log_format, LogFormat::Pretty);
        assert_eq!(settings.database.pool.max_connections, 10);
    }

    #[test]
    fn cargo_leptos_site_address_is_used_when_dlrhub_has_none() {
        let settings = settings(&[("LEPTOS_SITE_ADDR", "127.0.0.1:4000")]).expect("valid");
        assert_eq!(settings.listen_addr.port(), 4000);
    }

    #[test]
    fn public_url_gets_a_trailing_slash_so_paths_join_under_it() {
        let settings =
            settings(&[("DLRHUB_PUBLIC_URL", "https://hub.example.com/dlr")]).expect("valid");
        assert_eq!(
            settings
                .public_url
                .join("webhooks/sinch/abc")
                .expect("joins")
                .as_str(),
            "https://hub.example.com/dlr/webhooks/sinch/abc"
        );
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        assert_eq!(
            failing_variable(&[("DATABASE_URL", "mysql://x")]),
            "DATABASE_URL"
        );
        assert_eq!(
            failing_variable(&[("DLRHUB_READ_DATABASE_URL", "replica.example")]),
            "DLRHUB_READ_DATABASE_URL"
        );
        assert_eq!(
            failing_variable(&[("DLRHUB_RAW_RETENTION_DAYS", "0")]),
            "DLRHUB_RAW_RETENTION_DAYS"
        );
        assert_eq!(
            failing_variable(&[("DLRHUB_LISTEN_ADDR", "localhost")]),
            "DLRHUB_LISTEN_ADDR"
        );
        assert_eq!(
            failing_variable(&[("DLRHUB_PUBLIC_URL", "ftp://x.example")]),
            "DLRHUB_PUBLIC_URL"
        );
        assert_eq!(
            failing_variable(&[("DLRHUB_PUBLIC_URL", "https://x.example/?a=1")]),
            "DLRHUB_PUBLIC_URL"
        );
        assert_eq!(
            failing_variable(&[("DLRHUB_LOG_FORMAT", "xml")]),
            "DLRHUB_LOG_FORMAT"
        );
        assert_eq!(
            failing_variable(&[("DLRHUB_MASTER_KEY", "c2hvcnQ=")]),
            "DLRHUB_MASTER_KEY"
        );
        assert_eq!(
            failing_variable(&[("DLRHUB_MASTER_KEY", "not base64!")]),
            "DLRHUB_MASTER_KEY"
        );
        assert_eq!(
            failing_variable(&[("DLRHUB_DB_MAX_CONNECTIONS", "0")]),
            "DLRHUB_DB_MAX_CONNECTIONS"
        );
        assert_eq!(
            failing_variable(&[("DLRHUB_DB_MAX_CONNECTIONS", "ten")]),
            "DLRHUB_DB_MAX_CONNECTIONS"
        );
        assert_eq!(
            failing_variable(&[
                ("DLRHUB_DB_MAX_CONNECTIONS", "2"),
                ("DLRHUB_DB_MIN_CONNECTIONS", "3")
            ]),
            "DLRHUB_DB_MIN_CONNECTIONS"
        );
        assert_eq!(
            failing_variable(&[("DLRHUB_SHUTDOWN_GRACE_SECS", "-1")]),
            "DLRHUB_SHUTDOWN_GRACE_SECS"
        );
    }

    #[test]
    fn missing_required_values_say_how_to_provide_them() {
        let vars: HashMap<String, String> = HashMap::new();
        let error =
            Settings::from_source(&|name: &str| vars.get(name).cloned()).expect_err("refused");
        assert_eq!(error.variable, "DLRHUB_MASTER_KEY");
        assert!(
            error.to_string().contains("openssl rand -base64 32"),
            "{error}"
        );
    }

    #[test]
    fn the_master_key_never_appears_in_debug_output() {
        let settings = settings(&[]).expect("valid");
        assert!(!format!("{settings:?}").contains(KEY));
        assert_eq!(settings.master_key.expose()[31], 31);
    }
}
