//! `dlrhub sim moengage`: MoEngage's Data API as its documentation describes it, for tests,
//! benchmarks and the local demo.
//!
//! - `POST /v1/event/{workspace_id}` and `POST /v1/transition/{workspace_id}`, with Basic
//!   auth per workspace, the documented validation and answers (400, 401, 413, 415, 429);
//! - per-workspace rate limits that answer 429 with Retry-After: `--rate-limit` events a
//!   second on `/v1/event` (MoEngage's 30,000 a minute) and twice that on
//!   `/v1/transition` (60,000 a minute), each a separate budget;
//! - faults, set at start or at any time with `POST /_sim/faults`: an error rate, a status
//!   for the next N requests, added latency, timeouts, an outage;
//! - `GET /_sim/received`: every action it accepted, when, as JSON (`DELETE` empties it);
//! - `GET /_sim/stats`: per workspace, the actions accepted, how many distinct dlrhub
//!   events they were (the rest are duplicates) and the most accepted in any one second.

mod faults;
mod validate;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::net::TcpListener;

pub use faults::Faults;

#[derive(Debug, Clone, clap::Args)]
pub struct MoengageArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9400")]
    pub listen: SocketAddr,
    /// A workspace and its Data API key, as ID:KEY (repeatable). With none, any non-empty
    /// key is accepted for any workspace.
    #[arg(long = "workspace", value_name = "ID:KEY")]
    pub workspaces: Vec<String>,
    /// Events per second accepted per workspace before answering 429.
    #[arg(long, default_value_t = 500)]
    pub rate_limit: u32,
    /// Share of requests (0 to 1) answered 500.
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Share of requests (0 to 1) that never get an answer (the client times out).
    #[arg(long, default_value_t = 0.0)]
    pub timeout_rate: f64,
    /// Added to every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
}

/// An action MoEngage accepted.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Received {
    pub workspace: String,
    pub customer_id: String,
    pub action: String,
    pub attributes: Value,
    /// `current_time` as sent.
    pub time: Value,
    /// Which request carried it: actions sent together share the number.
    pub request: u64,
    /// It came through the bulk API (`/v1/transition`).
    pub bulk: bool,
    /// When it was accepted, in milliseconds since the Unix epoch: what a test counts a
    /// workspace's events per second by.
    #[serde(default)]
    pub at_ms: i64,
}

pub struct Simulator {
    /// Workspaces and their keys; with none given at start, any key opens any workspace.
    credentials: Mutex<HashMap<String, String>>,
    open: bool,
    rate_limit: u32,
    faults: Mutex<(Faults, u64)>,
    /// Per (workspace, bulk API) budget: tokens left and when last refilled.
    buckets: Mutex<HashMap<(String, bool), (f64, Instant)>>,
    received: Mutex<Vec<Received>>,
    requests: std::sync::atomic::AtomicU64,
    /// Data API calls that reached the simulator, answered or not yet.
    arrived: std::sync::atomic::AtomicU64,
}

/// A running simulator, for tests.
pub struct Running {
    pub address: SocketAddr,
    pub simulator: Arc<Simulator>,
}

impl Running {
    pub fn base_url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}/", self.address)).expect("a valid URL")
    }
}

impl Simulator {
    pub fn new(args: &MoengageArgs) -> Result<Self, String> {
        let mut credentials = HashMap::new();
        for pair in &args.workspaces {
            let (id, key) = pair
                .split_once(':')
                .filter(|(id, key)| !id.is_empty() && !key.is_empty())
                .ok_or_else(|| format!("--workspace `{pair}` is not ID:KEY"))?;
            credentials.insert(id.to_owned(), key.to_owned());
        }
        Ok(Self {
            open: credentials.is_empty(),
            credentials: Mutex::new(credentials),
            rate_limit: args.rate_limit.max(1),
            faults: Mutex::new((Faults::from_args(args), 0)),
            buckets: Mutex::new(HashMap::new()),
            received: Mutex::new(Vec::new()),
            requests: std::sync::atomic::AtomicU64::new(0),
            arrived: std::sync::atomic::AtomicU64::new(0),
        })
    }

    pub fn received(&self) -> Vec<Received> {
        lock(&self.received).clone()
    }

    /// Data API calls that have reached the simulator, including those still waiting out
    /// a simulated latency: what a client has in flight.
    pub fn arrived(&self) -> u64 {
        self.arrived.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Keeps accepted actions, stamped with the time.
    fn keep(&self, mut accepted: Vec<Received>) {
        let now = chrono::Utc::now().timestamp_millis();
        for action in &mut accepted {
            action.at_ms = now;
        }
        lock(&self.received).extend(accepted);
    }

    /// A workspace created after the start, as one is in MoEngage's dashboard. A simulator
    /// started without workspaces already takes any key for any workspace, and stays so.
    pub fn add_workspace(&self, id: &str, key: &str) {
        if !self.open {
            lock(&self.credentials).insert(id.to_owned(), key.to_owned());
        }
    }

    pub fn set_faults(&self, faults: Faults) {
        lock(&self.faults).0 = faults;
    }

    /// Starts serving on `address` (port 0 picks a free one).
    pub async fn start(self, address: SocketAddr) -> std::io::Result<Running> {
        let listener = TcpListener::bind(address).await?;
        let address = listener.local_addr()?;
        let simulator = Arc::new(self);
        let app = router(simulator.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Running { address, simulator })
    }

    fn next_request(&self) -> u64 {
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// Takes `events` from the workspace's budget for the API (bulk or not), or says how
    /// long to wait. The bulk API's budget is twice the event API's, as MoEngage's are.
    fn admit(&self, workspace: &str, bulk: bool, events: usize) -> Result<(), u64> {
        let rate = f64::from(self.rate_limit) * if bulk { 2.0 } else { 1.0 };
        let mut buckets = lock(&self.buckets);
        let now = Instant::now();
        let (tokens, refilled) = buckets
            .entry((workspace.to_owned(), bulk))
            .or_insert((rate, now));
        *tokens = (*tokens + now.duration_since(*refilled).as_secs_f64() * rate).min(rate);
        *refilled = now;
        let wanted = events as f64;
        if *tokens >= wanted {
            *tokens -= wanted;
            Ok(())
        } else {
            Err(((wanted - *tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn router(simulator: Arc<Simulator>) -> Router {
    Router::new()
        .route("/v1/event/{workspace}", post(event))
        .route("/v1/transition/{workspace}", post(transition))
        .route("/_sim/received", get(received).delete(forget))
        .route("/_sim/stats", get(stats))
        .route("/_sim/faults", post(set_faults))
        .route("/_sim/workspaces", post(add_workspace))
        // The 128 KB limit is MoEngage's to answer (413); axum's own must not come first.
        .layer(axum::extract::DefaultBodyLimit::max(4 * 1024 * 1024))
        .with_state(simulator)
}

pub(crate) fn fail(status: StatusCode, kind: &str, message: &str) -> Response {
    let body = json!({
        "status": "fail",
        "error": { "type": kind, "message": message, "request_id": request_id() },
    });
    (status, Json(body)).into_response()
}

/// MoEngage puts a request id in every error; the simulator numbers its errors.
fn request_id() -> String {
    static ERRORS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = ERRORS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("sim-{}-{n}", std::process::id())
}

/// What every Data API call goes through before its body is read: faults, credentials,
/// content type and size.
async fn gate(
    simulator: &Simulator,
    workspace: &str,
    headers: &HeaderMap,
    body: &Bytes,
    max_bytes: usize,
) -> Result<(), Response> {
    simulator
        .arrived
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let fault = {
        let mut faults = lock(&simulator.faults);
        let (faults, draws) = &mut *faults;
        faults.draw(workspace, draws)
    };
    if let Some(latency) = fault.latency {
        tokio::time::sleep(latency).await;
    }
    if fault.hang {
        // Longer than any client waits.
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    if let Some(status) = fault.status {
        return Err(fail(status, "ServerError", "simulated failure"));
    }
    let authorised = {
        let credentials = lock(&simulator.credentials);
        let known = (!simulator.open).then_some(&*credentials);
        validate::authorised(known, workspace, headers)
    };
    if !authorised {
        return Err(fail(
            StatusCode::UNAUTHORIZED,
            "AuthenticationError",
            "invalid workspace id or Data API key",
        ));
    }
    if body.len() > max_bytes {
        return Err(fail(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLargeError",
            &format!("the request body exceeds {} KB", max_bytes / 1024),
        ));
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !json {
        return Err(fail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaTypeError",
            "Content-Type must be application/json",
        ));
    }
    Ok(())
}

async fn event(
    State(simulator): State<Arc<Simulator>>,
    Path(workspace): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refusal) = gate(&simulator, &workspace, &headers, &body, 128 * 1024).await {
        return refusal;
    }
    let request = simulator.next_request();
    let accepted = match validate::event(&workspace, request, &body) {
        Ok(accepted) => accepted,
        Err(invalid) => return fail(StatusCode::BAD_REQUEST, invalid.kind, &invalid.message),
    };
    if let Some(refusal) = admit(&simulator, &workspace, false, accepted.len()) {
        return refusal;
    }
    simulator.keep(accepted);
    Json(json!({ "status": "success", "message": "Your request has been accepted and will be processed soon." }))
        .into_response()
}

/// 429 with Retry-After when the workspace's budget for this API is spent.
fn admit(simulator: &Simulator, workspace: &str, bulk: bool, events: usize) -> Option<Response> {
    simulator.admit(workspace, bulk, events).err().map(|wait| {
        let mut refusal = fail(
            StatusCode::TOO_MANY_REQUESTS,
            "RateLimitError",
            "rate limit exceeded for this workspace",
        );
        refusal
            .headers_mut()
            .insert(header::RETRY_AFTER, wait.into());
        refusal
    })
}

/// Bulk import: answers 200 whatever its elements hold; only valid events are kept.
async fn transition(
    State(simulator): State<Arc<Simulator>>,
    Path(workspace): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refusal) = gate(&simulator, &workspace, &headers, &body, 100 * 1024).await {
        return refusal;
    }
    // A bulk request over the budget is refused whole.
    let accepted = validate::transition(&workspace, simulator.next_request(), &body);
    if let Some(refusal) = admit(&simulator, &workspace, true, accepted.len()) {
        return refusal;
    }
    simulator.keep(accepted);
    Json(json!({ "status": "success" })).into_response()
}

async fn received(State(simulator): State<Arc<Simulator>>) -> Json<Vec<Received>> {
    Json(simulator.received())
}

/// What a workspace received, for benchmarks.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct WorkspaceStats {
    pub workspace: String,
    pub accepted: usize,
    /// Distinct `dlrhub_event_id`s among them: `accepted - events` were sent twice.
    pub events: usize,
    /// The most actions accepted within any one second.
    pub busiest_second: usize,
}

impl Simulator {
    pub fn stats(&self) -> Vec<WorkspaceStats> {
        let received = lock(&self.received);
        let mut by_workspace: HashMap<&str, Vec<&Received>> = HashMap::new();
        for action in received.iter() {
            by_workspace
                .entry(&action.workspace)
                .or_default()
                .push(action);
        }
        let mut stats: Vec<WorkspaceStats> = by_workspace
            .into_iter()
            .map(|(workspace, actions)| {
                let events: std::collections::HashSet<i64> = actions
                    .iter()
                    .filter_map(|a| a.attributes["dlrhub_event_id"].as_i64())
                    .collect();
                let mut times: Vec<i64> = actions.iter().map(|a| a.at_ms).collect();
                times.sort_unstable();
                WorkspaceStats {
                    workspace: workspace.to_owned(),
                    accepted: actions.len(),
                    events: events.len(),
                    busiest_second: busiest_second(&times),
                }
            })
            .collect();
        stats.sort_by(|a, b| a.workspace.cmp(&b.workspace));
        stats
    }
}

/// The most of these sorted times (ms) within any window shorter than a second.
pub fn busiest_second(times: &[i64]) -> usize {
    let (mut busiest, mut start) = (0, 0);
    for end in 0..times.len() {
        while times[end] - times[start] >= 1000 {
            start += 1;
        }
        busiest = busiest.max(end - start + 1);
    }
    busiest
}

async fn stats(State(simulator): State<Arc<Simulator>>) -> Json<Vec<WorkspaceStats>> {
    Json(simulator.stats())
}

async fn forget(State(simulator): State<Arc<Simulator>>) -> StatusCode {
    lock(&simulator.received).clear();
    StatusCode::NO_CONTENT
}

async fn set_faults(
    State(simulator): State<Arc<Simulator>>,
    Json(faults): Json<Faults>,
) -> Json<Faults> {
    simulator.set_faults(faults.clone());
    Json(faults)
}

#[derive(serde::Deserialize)]
struct NewWorkspace {
    id: String,
    key: String,
}

async fn add_workspace(
    State(simulator): State<Arc<Simulator>>,
    Json(new): Json<NewWorkspace>,
) -> StatusCode {
    if new.id.is_empty() || new.key.is_empty() {
        return StatusCode::UNPROCESSABLE_ENTITY;
    }
    simulator.add_workspace(&new.id, &new.key);
    StatusCode::NO_CONTENT
}

pub async fn run(args: MoengageArgs) -> anyhow::Result<()> {
    let simulator = Simulator::new(&args).map_err(anyhow::Error::msg)?;
    let running = simulator.start(args.listen).await?;
    println!(
        "MoEngage simulator listening on http://{} (set DLRHUB_MOENGAGE_BASE_URL to it)",
        running.address
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}

#[cfg(test)]
mod tests;
