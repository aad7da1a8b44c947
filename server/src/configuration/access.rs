//! Settings of admin access: cookies, session lifetimes, the first admin, metrics.

use std::time::Duration;

use auth::SessionPolicy;
use domain::access::Email;
use http::HeaderName;
use secrecy::SecretString;
use url::Url;

use super::{parse_number, ConfigError, Source};

#[derive(Debug, Clone)]
pub struct AccessSettings {
    /// Mark the session cookie `Secure`. On by default; `DLRHUB_SECURE_COOKIES=false` lets
    /// a browser keep the session over plain http (a laptop demo, the test suites).
    pub secure_cookies: bool,
    pub session: SessionPolicy,
    /// The account `serve` creates when there is no user at all.
    pub first_admin_email: Email,
    /// Bearer token for `GET /metrics` (Prometheus); without it only a signed-in admin or
    /// support user can read the metrics.
    pub metrics_token: Option<SecretString>,
    /// A header set by a reverse proxy in front of dlrhub naming the client's address
    /// (`X-Forwarded-For`: its last entry, the one the proxy added). Without it the peer
    /// address is used, which behind a proxy is the proxy for everyone, so sign-in
    /// throttling per address needs this setting there.
    pub client_ip_header: Option<HeaderName>,
    /// The proxies whose `client_ip_header` is believed: a request from any other peer is
    /// taken to come from that peer, whatever the header says (anyone can send one).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How far a signed callback's timestamp may be from now; None accepts any.
    pub signature_tolerance: Option<Duration>,
}

/// Sinch retries for up to about 23 hours, and whether it signs a retry anew is not
/// documented: a day keeps every retry while refusing replays of older captures.
const DEFAULT_SIGNATURE_TOLERANCE_SECS: u64 = 24 * 3600;

impl AccessSettings {
    pub fn from_source(source: &impl Source, public_url: &Url) -> Result<Self, ConfigError> {
        let secure_cookies = match source
            .get("DLRHUB_SECURE_COOKIES")
            .as_deref()
            .map(str::trim)
        {
            None | Some("true") => true,
            Some("false") => false,
            Some(other) => {
                return Err(ConfigError::new(
                    "DLRHUB_SECURE_COOKIES",
                    format!("`{other}` is not true or false"),
                ))
            }
        };
        if secure_cookies && public_url.scheme() == "http" && !is_loopback(public_url) {
            tracing::warn!(
                %public_url,
                "secure session cookies over plain http: browsers will not send them back; serve dlrhub over https or set DLRHUB_SECURE_COOKIES=false"
            );
        }
        let idle_minutes =
            parse_number(source, "DLRHUB_SESSION_IDLE_MINUTES", 120, 1..=7 * 24 * 60)?;
        let max_hours = parse_number(source, "DLRHUB_SESSION_MAX_HOURS", 12, 1..=30 * 24)?;
        let first_admin_email = match source.get("DLRHUB_ADMIN_EMAIL") {
            Some(raw) => Email::parse(&raw)
                .map_err(|e| ConfigError::new("DLRHUB_ADMIN_EMAIL", e.to_string()))?,
            None => Email::parse("admin@dlrhub.local")
                .map_err(|e| ConfigError::new("DLRHUB_ADMIN_EMAIL", e.to_string()))?,
        };
        let metrics_token = source.get("DLRHUB_METRICS_TOKEN").map(SecretString::from);
        let client_ip_header = source
            .get("DLRHUB_CLIENT_IP_HEADER")
            .map(|raw| {
                HeaderName::try_from(raw.trim()).map_err(|_| {
                    ConfigError::new(
                        "DLRHUB_CLIENT_IP_HEADER",
                        format!("`{raw}` is not a header name"),
                    )
                })
            })
            .transpose()?;
        let tolerance = parse_number(
            source,
            "DLRHUB_SIGNATURE_TOLERANCE_SECS",
            DEFAULT_SIGNATURE_TOLERANCE_SECS,
            0..=30 * 24 * 3600,
        )?;
        let trusted_proxies = match source.get("DLRHUB_TRUSTED_PROXIES") {
            Some(raw) => parse_proxies(&raw)?,
            // A proxy on the same machine is the usual set-up.
            None => vec![
                "127.0.0.0/8".parse().map_err(invalid_proxy)?,
                "::1/128".parse().map_err(invalid_proxy)?,
            ],
        };
        Ok(Self {
            trusted_proxies,
            signature_tolerance: (tolerance > 0).then(|| Duration::from_secs(tolerance)),
            secure_cookies,
            session: SessionPolicy {
                idle: Duration::from_secs(idle_minutes * 60),
                absolute: Duration::from_secs(max_hours * 3600),
            },
            first_admin_email,
            metrics_token,
            client_ip_header,
        })
    }
}

fn invalid_proxy(error: ipnet::AddrParseError) -> ConfigError {
    ConfigError::new("DLRHUB_TRUSTED_PROXIES", error.to_string())
}

/// `10.0.0.0/8, 192.0.2.7`: networks or single addresses, comma-separated.
fn parse_proxies(raw: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    ConfigError::new(
                        "DLRHUB_TRUSTED_PROXIES",
                        format!("`{item}` is not an address or a network such as 10.0.0.0/8"),
                    )
                })
        })
        .collect()
}

fn is_loopback(url: &Url) -> bool {
    matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}
