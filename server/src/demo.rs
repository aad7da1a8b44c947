//! The demo (`app::api::demo`, `dlrhub dev demo`): a workspace of its own fed a minute of
//! simulated Sinch traffic, so that a new user sees every page with something real on it.
//!
//! It exists only where forwarding goes to the MoEngage simulator, and asks the simulator
//! rather than trusting the configuration: the base URL must answer the simulator's own
//! `/_sim/stats`. Real MoEngage has no such endpoint, so made-up events never reach a real
//! workspace. The simulator is told of the demo workspace's key (a simulator started with
//! `--workspace` refuses unknown keys) and to refuse the workspace's first request with a
//! 400, so that one event becomes a dead letter for the Dead letters page to show.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::api::demo::{Demo, DemoAvailability, DemoFuture, SharedDemo};
use auth::users::ChangedBy;
use domain::{AppKey, DataCenter};
use serde_json::json;
use store::cipher::random_token;
use store::moengage::DataApi;
use store::tenants::{NewTenant, Tenant};
use store::{Cipher, PgPool};
use url::Url;

use crate::sim::sinch_traffic::{Mix, Traffic};

/// How long the traffic runs, and how fast.
pub const DURATION: Duration = Duration::from_secs(60);
const CALLS_PER_SECOND: u32 = 10;
/// Mostly per-recipient reports (a Dispatched, then the final status), some batch reports
/// and Sinch retries, a few without a uid (rejected) and the odd malformed call.
const MIX: Mix = Mix {
    recipient: 84,
    batch: 4,
    retry: 5,
    missing_uid: 5,
    malformed: 2,
};

pub struct SimulatedDemo {
    client: reqwest::Client,
    data_api: DataApi,
    pool: PgPool,
    cipher: Cipher,
    public_url: Url,
    /// When the traffic running now ends: one demo at a time.
    running_until: Mutex<Option<Instant>>,
    /// The traffic running now and its workspace, so that removing the demo stops it.
    traffic: Mutex<Option<(String, tokio::task::AbortHandle)>>,
}

impl SimulatedDemo {
    pub fn new(data_api: DataApi, pool: PgPool, cipher: Cipher, public_url: Url) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self {
            client,
            data_api,
            pool,
            cipher,
            public_url,
            running_until: Mutex::new(None),
            traffic: Mutex::new(None),
        }
    }

    pub fn shared(self) -> SharedDemo {
        SharedDemo(Arc::new(self))
    }

    /// The simulator's base URL, if forwarding goes to one.
    async fn simulator(&self) -> Result<String, String> {
        let Some(base) = self.data_api.configured_base() else {
            return Err("Forwarding goes to MoEngage itself: the demo runs only against the MoEngage simulator (scripts/run starts one).".to_owned());
        };
        // Asked on every empty overview: a base that does not answer at once is not ours.
        let answer = self
            .client
            .get(format!("{base}/_sim/stats"))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        match answer {
            Ok(response) if response.status().is_success() => Ok(base.to_owned()),
            _ => Err(format!(
                "Forwarding goes to {base}, which does not answer as the MoEngage simulator does: the demo runs only against the simulator."
            )),
        }
    }

    /// Registers and enables the demo workspace; answers it with the callback URL its
    /// traffic goes to (`send_traffic`).
    pub async fn prepare(&self, by: &ChangedBy) -> Result<(Tenant, Url), String> {
        let simulator = self.simulator().await?;
        {
            let mut running = lock(&self.running_until);
            if running.is_some_and(|until| Instant::now() < until) {
                return Err("A demo is running already; it ends within a minute.".to_owned());
            }
            *running = Some(Instant::now() + DURATION);
        }
        let started = self.register(&simulator, by).await;
        if started.is_err() {
            *lock(&self.running_until) = None;
        }
        let tenant = started?;
        let url = tenant
            .callback_url(&self.public_url, &self.cipher)
            .map_err(|error| {
                format!("the demo workspace's secrets could not be opened: {error}")
            })?;
        Ok((tenant, url))
    }

    /// Registers the demo workspace and starts its traffic in the background.
    async fn begin(&self, by: &ChangedBy) -> Result<Tenant, String> {
        let (tenant, url) = self.prepare(by).await?;
        let task = tokio::spawn(send_traffic(self.client.clone(), url, DURATION));
        *lock(&self.traffic) = Some((tenant.app_key.to_string(), task.abort_handle()));
        Ok(tenant)
    }

    pub fn client(&self) -> reqwest::Client {
        self.client.clone()
    }

    async fn register(&self, simulator: &str, by: &ChangedBy) -> Result<Tenant, String> {
        let failed = |error: &dyn std::fmt::Display| format!("the demo could not start: {error}");
        let suffix = random_token(8).map_err(|e| failed(&e))?.to_uppercase();
        let app_key = AppKey::parse(&format!("DEMO{suffix}")).map_err(|e| failed(&e))?;
        let data_api_key = format!("demo-{}", random_token(24).map_err(|e| failed(&e))?);
        let told = |path: &str, body: serde_json::Value| {
            self.client
                .post(format!("{simulator}/_sim/{path}"))
                .json(&body)
                .send()
        };
        let workspace = json!({ "id": app_key.as_str(), "key": data_api_key });
        let refusal =
            json!({ "fail_next": 1, "error_status": 400, "workspaces": [app_key.as_str()] });
        for (path, body) in [("workspaces", workspace), ("faults", refusal)] {
            let answer = told(path, body).await.map_err(|e| failed(&e))?;
            if !answer.status().is_success() {
                return Err(failed(&format!(
                    "the simulator answered {} to /_sim/{path}",
                    answer.status()
                )));
            }
        }
        let new = NewTenant {
            app_key: app_key.clone(),
            name: format!("Demo shop {}", &suffix[..4]),
            data_center: DataCenter::parse("01").map_err(|e| failed(&e))?,
            moengage_api_key: data_api_key,
            demo: true,
        };
        auth::tenants::register(&self.pool, &self.cipher, by, new)
            .await
            .map_err(|e| failed(&e))?;
        auth::tenants::set_integration(&self.pool, by, &app_key, true)
            .await
            .map_err(|e| failed(&e))
    }
}

impl Demo for SimulatedDemo {
    fn offer(&self) -> DemoFuture<'_, DemoAvailability> {
        Box::pin(async move {
            match self.simulator().await {
                Ok(_) => DemoAvailability::Available,
                Err(reason) => DemoAvailability::Unavailable(reason),
            }
        })
    }

    fn start<'a>(&'a self, by: &'a ChangedBy) -> DemoFuture<'a, Result<String, String>> {
        Box::pin(async move { Ok(self.begin(by).await?.app_key.to_string()) })
    }

    fn stop(&self, app_key: &str) {
        let mut traffic = lock(&self.traffic);
        if traffic
            .as_ref()
            .is_some_and(|(running, _)| running == app_key)
        {
            if let Some((_, task)) = traffic.take() {
                task.abort();
            }
            *lock(&self.running_until) = None;
        }
    }
}

/// Sends the demo's calls to the callback URL for `duration`, as Sinch would; answers how
/// many were accepted. A call that fails is not retried: the demo shows what arrived.
pub async fn send_traffic(client: reqwest::Client, callback: Url, duration: Duration) -> u64 {
    let seed = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(1);
    let mut traffic = Traffic::new(MIX, seed);
    let calls = u64::from(CALLS_PER_SECOND) * duration.as_secs();
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / CALLS_PER_SECOND);
    let mut accepted = 0;
    for call in 0..calls {
        ticks.tick().await;
        // One malformed call early on, whatever the draw, so that Rejected has one.
        let body = if call == 3 {
            r#"{"type":"recipient_delivery_report_sms","batch_id":"#.to_owned()
        } else {
            traffic.next_body()
        };
        let answer = client
            .post(callback.clone())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        match answer.map(|response| response.status()) {
            Ok(status) if status.is_success() => accepted += 1,
            // The demo workspace was removed (from another process than the one sending).
            Ok(reqwest::StatusCode::NOT_FOUND) => break,
            _ => {}
        }
    }
    tracing::info!(accepted, calls, "the demo's simulated traffic ended");
    accepted
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
