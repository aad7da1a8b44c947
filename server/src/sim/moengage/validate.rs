//! The checks MoEngage's Data API documents, each answered as MoEngage answers it.

use std::collections::HashMap;

use axum::http::{header, HeaderMap};
use base64::Engine;
use serde_json::Value;

use super::Received;

/// Why a body is refused: MoEngage answers 400 with this error type and message.
#[derive(Debug)]
pub(super) struct Invalid {
    pub kind: &'static str,
    pub message: String,
}

/// Username = the workspace id of the path; password = its Data API key (any non-empty
/// key when the simulator knows no workspaces: `known` is None).
pub(super) fn authorised(
    known: Option<&HashMap<String, String>>,
    workspace: &str,
    headers: &HeaderMap,
) -> bool {
    let Some((user, key)) = basic_credentials(headers) else {
        return false;
    };
    if user != workspace || key.is_empty() {
        return false;
    }
    known.is_none_or(|known| known.get(workspace) == Some(&key))
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, key) = text.split_once(':')?;
    Some((user.to_owned(), key.to_owned()))
}

fn invalid(message: &str) -> Invalid {
    Invalid {
        kind: "InvalidAttributeError",
        message: message.to_owned(),
    }
}

fn missing(attribute: &str) -> Invalid {
    Invalid {
        kind: "MissingAttributeError",
        message: format!("{attribute} is required"),
    }
}

/// A `/v1/event` body: the actions it carries, or the 400 MoEngage would answer.
pub(super) fn event(workspace: &str, request: u64, body: &[u8]) -> Result<Vec<Received>, Invalid> {
    let body: Value = serde_json::from_slice(body).map_err(|e| Invalid {
        kind: "ParseError",
        message: e.to_string(),
    })?;
    event_object(workspace, request, false, &body)
}

/// A `/v1/transition` body: the valid events among its elements. Invalid ones are dropped
/// silently, as MoEngage's bulk API does (it answers 200 regardless).
pub(super) fn transition(workspace: &str, request: u64, body: &[u8]) -> Vec<Received> {
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    body["elements"]
        .as_array()
        .map(|elements| {
            elements
                .iter()
                .filter_map(|element| event_object(workspace, request, true, element).ok())
                .flatten()
                .collect()
        })
        .unwrap_or_default()
}

fn event_object(
    workspace: &str,
    request: u64,
    bulk: bool,
    body: &Value,
) -> Result<Vec<Received>, Invalid> {
    if body["type"] != "event" {
        return Err(missing("type (\"event\")"));
    }
    let customer_id = body["customer_id"]
        .as_str()
        .ok_or_else(|| missing("customer_id"))?;
    if domain::CustomerId::parse(customer_id).is_err() {
        return Err(invalid(&format!(
            "customer_id `{customer_id}` is not allowed"
        )));
    }
    let actions = body["actions"]
        .as_array()
        .filter(|actions| !actions.is_empty())
        .ok_or_else(|| missing("actions"))?;
    let now = chrono::Utc::now().timestamp();
    actions
        .iter()
        .map(|action| {
            let name = action["action"]
                .as_str()
                .filter(|name| !name.trim().is_empty())
                .ok_or_else(|| missing("actions[].action"))?;
            let attributes = &action["attributes"];
            if let Some(attributes) = attributes.as_object() {
                if attributes.len() > 100 {
                    return Err(invalid("an event has at most 100 attributes"));
                }
                if let Some(key) = attributes.keys().find(|k| k.starts_with("moe_")) {
                    return Err(invalid(&format!(
                        "attribute `{key}` uses the reserved moe_ prefix"
                    )));
                }
            }
            let time = &action["current_time"];
            if let Some(at) = epoch_seconds(time) {
                if at > now + 60 {
                    return Err(invalid("current_time is in the future"));
                }
            } else if !time.is_null() {
                return Err(invalid("current_time must be epoch seconds or ISO-8601"));
            }
            let offset = action["user_timezone_offset"].as_i64().unwrap_or(0);
            if offset.abs() > 54_000 {
                return Err(invalid(
                    "user_timezone_offset must be within ±54000 seconds",
                ));
            }
            Ok(Received {
                workspace: workspace.to_owned(),
                customer_id: customer_id.to_owned(),
                action: name.to_owned(),
                attributes: attributes.clone(),
                time: time.clone(),
                request,
                bulk,
                at_ms: 0,
            })
        })
        .collect()
}

fn epoch_seconds(time: &Value) -> Option<i64> {
    match time {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.timestamp()),
        _ => None,
    }
}
