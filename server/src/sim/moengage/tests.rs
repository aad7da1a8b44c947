//! The simulator answers as MoEngage documents; dlrhub's forwarding tests rely on it.

use serde_json::json;

use super::*;

async fn start(workspaces: &[&str]) -> Running {
    let args = MoengageArgs {
        listen: "127.0.0.1:0".parse().expect("valid"),
        workspaces: workspaces.iter().map(|w| (*w).to_owned()).collect(),
        rate_limit: 5,
        error_rate: 0.0,
        timeout_rate: 0.0,
        latency_ms: 0,
    };
    let simulator = Simulator::new(&args).expect("valid arguments");
    simulator.start(args.listen).await.expect("starts")
}

fn action(name: &str) -> serde_json::Value {
    json!({ "action": name, "attributes": { "batch_id": "B1" }, "platform": "unknown",
            "current_time": 1_700_000_000, "user_timezone_offset": 0 })
}

async fn post(sim: &Running, key: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("http://{}/v1/event/WS1", sim.address))
        .basic_auth("WS1", Some(key))
        .json(&body)
        .send()
        .await
        .expect("answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_valid_event_is_accepted_and_listed() {
    let sim = start(&["WS1:key-1"]).await;
    let body = json!({ "type": "event", "customer_id": "u1", "actions": [action("SMS Sent")] });
    let (status, answer) = post(&sim, "key-1", body).await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("success")));
    let received = sim.simulator.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        (
            received[0].customer_id.as_str(),
            received[0].action.as_str()
        ),
        ("u1", "SMS Sent")
    );
}

#[tokio::test]
async fn wrong_credentials_missing_fields_and_future_times_are_refused_as_documented() {
    let sim = start(&["WS1:key-1"]).await;
    let valid = json!({ "type": "event", "customer_id": "u1", "actions": [action("SMS Sent")] });
    assert_eq!(post(&sim, "wrong", valid.clone()).await.0, 401);

    let (status, answer) = post(&sim, "key-1", json!({ "type": "event", "actions": [] })).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["type"], "MissingAttributeError");

    let refused = json!({ "type": "event", "customer_id": "null", "actions": [action("x")] });
    assert_eq!(post(&sim, "key-1", refused).await.0, 400);

    let mut future = action("SMS Sent");
    future["current_time"] = json!(chrono::Utc::now().timestamp() + 3600);
    let body = json!({ "type": "event", "customer_id": "u1", "actions": [future] });
    assert_eq!(post(&sim, "key-1", body).await.0, 400);

    let huge = json!({ "type": "event", "customer_id": "u1",
                       "actions": [{ "action": "x", "attributes": { "p": "y".repeat(140_000) } }] });
    assert_eq!(post(&sim, "key-1", huge).await.0, 413);
    assert!(sim.simulator.received().is_empty());
}

#[tokio::test]
async fn a_workspace_over_its_rate_gets_429_with_retry_after() {
    let sim = start(&[]).await;
    let six = json!({ "type": "event", "customer_id": "u1",
                      "actions": (0..6).map(|_| action("SMS Sent")).collect::<Vec<_>>() });
    let response = reqwest::Client::new()
        .post(format!("http://{}/v1/event/WS1", sim.address))
        .basic_auth("WS1", Some("any"))
        .json(&six)
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn faults_fail_the_next_requests_then_clear() {
    let sim = start(&[]).await;
    sim.simulator.set_faults(Faults {
        fail_next: 2,
        error_status: Some(502),
        ..Faults::default()
    });
    let body = json!({ "type": "event", "customer_id": "u1", "actions": [action("SMS Sent")] });
    assert_eq!(post(&sim, "k", body.clone()).await.0, 502);
    assert_eq!(post(&sim, "k", body.clone()).await.0, 502);
    assert_eq!(post(&sim, "k", body).await.0, 200);
}

#[tokio::test]
async fn a_workspace_created_at_run_time_is_accepted_and_an_open_simulator_stays_open() {
    let valid = json!({ "type": "event", "customer_id": "u1", "actions": [action("SMS Sent")] });
    let create = |sim: &Running| {
        reqwest::Client::new()
            .post(format!("http://{}/_sim/workspaces", sim.address))
            .json(&json!({ "id": "WS1", "key": "key-9" }))
            .send()
    };

    let known = start(&["OTHER:key-1"]).await;
    assert_eq!(post(&known, "key-9", valid.clone()).await.0, 401);
    assert_eq!(create(&known).await.expect("answers").status(), 204);
    assert_eq!(post(&known, "key-9", valid.clone()).await.0, 200);
    assert_eq!(post(&known, "key-8", valid.clone()).await.0, 401);

    let open = start(&[]).await;
    assert_eq!(create(&open).await.expect("answers").status(), 204);
    assert_eq!(post(&open, "any-key", valid).await.0, 200, "still any key");
}
