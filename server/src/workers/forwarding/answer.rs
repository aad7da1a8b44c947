//! What MoEngage's answer means for the events a request carried.

use std::time::Duration;

use reqwest::header::RETRY_AFTER;
use reqwest::StatusCode;

/// The longest Retry-After honoured; beyond it the retry schedule decides.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);
/// How much of MoEngage's error body is kept with the event.
const EXCERPT_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Accepted,
    /// Worth trying again (429, 5xx, no answer); MoEngage may say when.
    Retry {
        after: Option<Duration>,
        error: String,
        reason: String,
    },
    /// MoEngage refused the request itself (400, 403, 413, 415, other 4xx): sending it
    /// again would get the same answer.
    Permanent {
        error: String,
        reason: String,
    },
    /// 401: the workspace's credentials are wrong.
    Unauthorized {
        error: String,
    },
}

pub fn classify(status: StatusCode, retry_after: Option<&str>, body: &str) -> Answer {
    let error = format!("HTTP {}: {}", status.as_u16(), excerpt(body));
    match status {
        s if s.is_success() => Answer::Accepted,
        StatusCode::UNAUTHORIZED => Answer::Unauthorized { error },
        s if s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error() => Answer::Retry {
            after: retry_after.and_then(parse_retry_after),
            error,
            reason: reason(status, body),
        },
        _ => Answer::Permanent {
            error,
            reason: reason(status, body),
        },
    }
}

/// The answer without what differs from request to request (MoEngage's request ids):
/// the status and MoEngage's message, so that dead letters of one cause group together.
fn reason(status: StatusCode, body: &str) -> String {
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|json| {
            let message = json
                .pointer("/error/message")
                .or_else(|| json.get("message"))?;
            message.as_str().map(str::to_owned)
        })
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("no message").to_owned());
    format!("HTTP {}: {message}", status.as_u16())
}

/// A request that got no answer: a timeout or a connection error.
pub fn no_answer(error: &reqwest::Error) -> Answer {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let detail = std::error::Error::source(error)
        .map(|source| format!(": {source}"))
        .unwrap_or_default();
    Answer::Retry {
        after: None,
        error: format!("the request {what}{detail}"),
        reason: format!("the request {what}"),
    }
}

pub fn retry_after(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// Seconds, or an HTTP date.
fn parse_retry_after(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let wait = match raw.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(raw).ok()?;
            (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

fn excerpt(body: &str) -> String {
    let body = body.trim();
    if body.is_empty() {
        return "(empty body)".to_owned();
    }
    let mut excerpt: String = body.chars().take(EXCERPT_CHARS).collect();
    if excerpt.len() < body.len() {
        excerpt.push('…');
    }
    excerpt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_class_of_answer_is_told_apart() {
        assert_eq!(classify(StatusCode::OK, None, "{}"), Answer::Accepted);
        assert!(matches!(
            classify(StatusCode::UNAUTHORIZED, None, ""),
            Answer::Unauthorized { .. }
        ));
        for status in [400, 403, 413, 415, 404] {
            let status = StatusCode::from_u16(status).expect("valid");
            assert!(
                matches!(classify(status, None, "x"), Answer::Permanent { .. }),
                "{status}"
            );
        }
        for status in [429, 500, 502, 503] {
            let status = StatusCode::from_u16(status).expect("valid");
            assert!(
                matches!(classify(status, None, ""), Answer::Retry { .. }),
                "{status}"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_in_seconds_and_capped() {
        let answer = classify(StatusCode::TOO_MANY_REQUESTS, Some("7"), "");
        assert!(
            matches!(answer, Answer::Retry { after: Some(d), .. } if d == Duration::from_secs(7))
        );
        let answer = classify(StatusCode::TOO_MANY_REQUESTS, Some("999999"), "");
        assert!(matches!(answer, Answer::Retry { after: Some(d), .. } if d == MAX_RETRY_AFTER));
        let answer = classify(StatusCode::TOO_MANY_REQUESTS, Some("soon"), "");
        assert!(matches!(answer, Answer::Retry { after: None, .. }));
    }

    #[test]
    fn the_error_keeps_the_status_and_the_start_of_moengages_body() {
        let body = r#"{"status":"fail","error":{"message":"customer_id missing"}}"#;
        let Answer::Permanent { error, reason } = classify(StatusCode::BAD_REQUEST, None, body)
        else {
            panic!("permanent");
        };
        assert!(error.starts_with("HTTP 400: "), "{error}");
        assert!(error.contains("customer_id missing"), "{error}");
        assert_eq!(reason, "HTTP 400: customer_id missing");
        let long = "y".repeat(5000);
        let Answer::Permanent { error, reason } = classify(StatusCode::BAD_REQUEST, None, &long)
        else {
            panic!("permanent");
        };
        assert!(error.chars().count() < 600);
        assert_eq!(reason, "HTTP 400: Bad Request", "no message to quote");
    }

    #[test]
    fn answers_that_differ_only_in_request_ids_have_one_reason() {
        let reasons: Vec<String> = ["r-1", "r-2"]
            .iter()
            .map(|id| {
                let body = format!(r#"{{"error":{{"message":"bad","request_id":"{id}"}}}}"#);
                match classify(StatusCode::SERVICE_UNAVAILABLE, None, &body) {
                    Answer::Retry { reason, .. } => reason,
                    other => panic!("retry: {other:?}"),
                }
            })
            .collect();
        assert_eq!(reasons, ["HTTP 503: bad", "HTTP 503: bad"]);
    }
}
