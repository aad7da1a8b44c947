//! The console's outside checks (`app::api::probes`): a Data API key tried against
//! MoEngage, and a synthetic delivery report sent through a tenant's callback URL.

use std::sync::Arc;
use std::time::Duration;

use app::api::probes::{ProbeFuture, ProbeResult, Probes, SharedProbes, Workspace};
use chrono::{SecondsFormat, Utc};
use store::moengage::DataApi;
use store::tenants::Tenant;
use store::Cipher;
use url::Url;

use crate::sinch_signature as signature;

/// The customer id test reports are sent for: a user of its own in the workspace, so that
/// the self-check never touches a real customer's profile.
pub const TEST_UID: &str = "dlrhub-self-check";

pub struct HttpProbes {
    client: reqwest::Client,
    /// Where MoEngage is (the simulator, or each tenant's data center).
    data_api: DataApi,
    public_url: Url,
    cipher: Cipher,
}

impl HttpProbes {
    pub fn shared(data_api: DataApi, public_url: Url, cipher: Cipher) -> SharedProbes {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        SharedProbes(Arc::new(Self {
            client,
            data_api,
            public_url,
            cipher,
        }))
    }

    async fn credentials(&self, workspace: Workspace<'_>) -> ProbeResult {
        // An event without a user, so that a good key stores nothing: a 401 refuses the
        // credentials, a 400 refuses only the body (assuming MoEngage checks credentials
        // first, as its simulator does; see the README).
        let base = self.data_api.base(workspace.data_center);
        let answer = self
            .client
            .post(
                self.data_api
                    .events_url(workspace.data_center, workspace.app_key, false),
            )
            .basic_auth(
                workspace.app_key.as_str(),
                Some(workspace.data_api_key.trim()),
            )
            .json(&store::moengage::payload::credentials_probe())
            .send()
            .await;
        match answer.map(|response| response.status().as_u16()) {
            Ok(200 | 400) => ProbeResult::passed(format!(
                "MoEngage ({}) accepted the workspace id and Data API key.",
                workspace.data_center
            )),
            Ok(401) => ProbeResult::failed(
                "MoEngage refused these credentials (401): check the workspace id, the data center and the Data API key (MoEngage → Settings → APIs → Data API).",
            ),
            Ok(403) => ProbeResult::failed(
                "MoEngage says this workspace is blocked or suspended (403).",
            ),
            Ok(status) => ProbeResult::failed(format!(
                "MoEngage answered {status}; the credentials could not be checked. Try again in a moment."
            )),
            Err(error) => ProbeResult::failed(format!(
                "MoEngage could not be reached at {base}: {}",
                root_cause(&error)
            )),
        }
    }

    async fn test_report(&self, tenant: &Tenant) -> ProbeResult {
        let url = tenant.callback_endpoint(&self.public_url);
        let (Ok(credentials), Ok(secret)) = (
            tenant.callback_credentials(&self.cipher),
            tenant.hmac_secret(&self.cipher),
        ) else {
            return ProbeResult::failed("this tenant's secrets could not be opened");
        };
        let batch_id = format!("selfcheck-{}", Utc::now().format("%Y%m%d%H%M%S%3f"));
        let at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let body = serde_json::json!({
            "type": "recipient_delivery_report_sms",
            "batch_id": batch_id,
            // A number from the UK's range reserved for drama: it never reaches a phone.
            "recipient": "447700900123",
            "code": 0,
            "status": "Delivered",
            "at": at,
            "operator_status_at": at,
            "client_reference": format!("$uid={TEST_UID}$cat=self-check"),
        })
        .to_string();
        let mut request = self
            .client
            .post(url.clone())
            .basic_auth(&credentials.username, Some(&credentials.password))
            .header("content-type", "application/json");
        if let Some(secret) = secret {
            for (name, value) in signature::signed_headers(&secret, body.as_bytes()) {
                request = request.header(name, value);
            }
        }
        let answer = match request.body(body).send().await {
            Ok(response) => (
                response.status().as_u16(),
                response.text().await.unwrap_or_default(),
            ),
            Err(error) => {
                return ProbeResult::failed(format!(
                    "the callback URL could not be reached at {url}: {}",
                    root_cause(&error)
                ))
            }
        };
        let mut result = match answer {
            (200..=299, _) => ProbeResult::passed(
                "dlrhub accepted the test report; its SMS Delivered event is below.",
            ),
            (403, _) => ProbeResult::failed(
                "the callback answered 403: the integration is disabled. Enable it, then try again.",
            ),
            (status, body) => ProbeResult::failed(format!(
                "the callback answered {status}: {}",
                excerpt(&body)
            )),
        };
        if result.ok {
            result.batch_id = Some(batch_id);
        }
        result
    }
}

impl Probes for HttpProbes {
    fn check_credentials<'a>(&'a self, workspace: Workspace<'a>) -> ProbeFuture<'a> {
        Box::pin(self.credentials(workspace))
    }

    fn send_test_report<'a>(&'a self, tenant: &'a Tenant) -> ProbeFuture<'a> {
        Box::pin(self.test_report(tenant))
    }
}

fn root_cause(error: &dyn std::error::Error) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

fn excerpt(body: &str) -> String {
    let text: String = body.chars().take(300).collect();
    if text.trim().is_empty() {
        "no explanation given".to_owned()
    } else {
        text
    }
}
