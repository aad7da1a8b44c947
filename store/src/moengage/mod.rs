//! MoEngage's Data API in one place: where a tenant's requests go ([`DataApi`]) and every
//! body dlrhub sends ([`payload`]). The forwarder, the credential probe and the event page
//! all build their requests here, so what the console shows is what is sent.

pub mod payload;

use domain::{AppKey, DataCenter};

/// Where MoEngage's Data API answers: each tenant's data center host, or one base URL for
/// every tenant (`DLRHUB_MOENGAGE_BASE_URL`: the simulator).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataApi {
    base_url: Option<String>,
}

impl DataApi {
    /// `base_url` None: each tenant's data center.
    pub fn new(base_url: Option<&str>) -> Self {
        Self {
            base_url: base_url.map(|url| url.trim_end_matches('/').to_owned()),
        }
    }

    /// The one base URL every tenant's requests go to, when one is configured (the
    /// simulator); None when each goes to its data center.
    pub fn configured_base(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// The host requests for a tenant in `data_center` go to.
    pub fn base(&self, data_center: DataCenter) -> String {
        self.base_url
            .clone()
            .unwrap_or_else(|| data_center.api_base_url())
    }

    /// Where a tenant's events are sent: `/v1/event`, or bulk mode's `/v1/transition`
    /// (which answers 200 whatever it does with each element).
    pub fn events_url(&self, data_center: DataCenter, app_key: &AppKey, bulk: bool) -> String {
        let endpoint = if bulk { "transition" } else { "event" };
        format!("{}/v1/{endpoint}/{app_key}", self.base(data_center))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_go_to_the_data_center_unless_one_base_is_configured() {
        let dc = DataCenter::parse("DC-03").expect("a data center");
        let key = AppKey::parse("ACME01").expect("an app key");
        assert_eq!(
            DataApi::new(None).events_url(dc, &key, false),
            "https://api-03.moengage.com/v1/event/ACME01"
        );
        assert_eq!(
            DataApi::new(Some("http://127.0.0.1:9400/")).events_url(dc, &key, true),
            "http://127.0.0.1:9400/v1/transition/ACME01"
        );
    }
}
