//! The metrics dlrhub serves: their names (workers, the webhook and the shipped alerts and
//! dashboard all refer to these), their descriptions and buckets, and the one recorder per
//! process, installed on first use (tests start many applications in one process and
//! share it). `GET /metrics` (`crate::routes::metrics`) renders it.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const INGEST_DURATION: &str = "dlrhub_ingest_duration_seconds";
pub const REPORTS_RECEIVED: &str = "dlrhub_reports_received_total";
pub const INGEST_BATCH_SIZE: &str = "dlrhub_ingest_batch_size";
pub const EVENTS_FORWARDED: &str = "dlrhub_events_forwarded_total";
pub const EVENTS_RETRIED: &str = "dlrhub_events_retried_total";
pub const EVENTS_DEAD: &str = "dlrhub_events_dead_lettered_total";
pub const FORWARD_DURATION: &str = "dlrhub_forward_duration_seconds";
pub const QUEUE_DEPTH: &str = "dlrhub_forward_queue_depth";
pub const QUEUE_OLDEST_AGE: &str = "dlrhub_forward_queue_oldest_age_seconds";
pub const FORWARD_FAILING: &str = "dlrhub_forward_moengage_failing";
pub const FORWARD_PAUSED: &str = "dlrhub_forward_paused";
pub const READY: &str = "dlrhub_ready";

/// Latency buckets for ingestion: a commit takes milliseconds, a slow one hundreds.
const INGEST_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Reports per group-commit transaction.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(INGEST_DURATION.to_owned()), INGEST_BUCKETS)
            .and_then(|builder| {
                builder.set_buckets_for_metric(
                    Matcher::Full(INGEST_BATCH_SIZE.to_owned()),
                    BATCH_BUCKETS,
                )
            })
            .and_then(|builder| {
                builder.set_buckets_for_metric(
                    Matcher::Full(FORWARD_DURATION.to_owned()),
                    INGEST_BUCKETS,
                )
            })
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics will be empty");
        }
        describe();
        handle
    })
}

fn describe() {
    metrics::describe_counter!(
        REPORTS_RECEIVED,
        "Sinch webhook calls, by tenant (workspace id) and outcome"
    );
    metrics::describe_histogram!(
        INGEST_BATCH_SIZE,
        "Reports stored per transaction by the webhook's group-commit writers"
    );
    metrics::describe_histogram!(
        INGEST_DURATION,
        metrics::Unit::Seconds,
        "Time from a Sinch webhook call's arrival to its answer"
    );
    metrics::describe_counter!(EVENTS_FORWARDED, "Events MoEngage accepted, by tenant");
    metrics::describe_counter!(
        EVENTS_RETRIED,
        "Event attempts that failed and were scheduled again, by tenant"
    );
    metrics::describe_counter!(EVENTS_DEAD, "Events given up on (dead letters), by tenant");
    metrics::describe_histogram!(
        FORWARD_DURATION,
        metrics::Unit::Seconds,
        "Time one request to MoEngage's Data API took"
    );
    metrics::describe_gauge!(QUEUE_DEPTH, "Events waiting to be forwarded, by tenant");
    metrics::describe_gauge!(
        QUEUE_OLDEST_AGE,
        metrics::Unit::Seconds,
        "Age of the oldest event waiting to be forwarded, by tenant"
    );
    metrics::describe_gauge!(
        FORWARD_PAUSED,
        "1 while the tenant's forwarding is paused because MoEngage refused its Data API key, else 0"
    );
    metrics::describe_gauge!(
        READY,
        "1 when the last readiness check (GET /readyz) passed, 0 when it failed"
    );
    metrics::describe_gauge!(
        FORWARD_FAILING,
        "1 while MoEngage keeps failing for the tenant's workspace (its circuit breaker is open: one request at a time probes it), else 0"
    );
}

/// Every metric this process serves.
pub const ALL: &[&str] = &[
    INGEST_DURATION,
    REPORTS_RECEIVED,
    INGEST_BATCH_SIZE,
    EVENTS_FORWARDED,
    EVENTS_RETRIED,
    EVENTS_DEAD,
    FORWARD_DURATION,
    QUEUE_DEPTH,
    QUEUE_OLDEST_AGE,
    FORWARD_FAILING,
    FORWARD_PAUSED,
    READY,
];

#[cfg(test)]
mod tests {
    use super::ALL;

    /// The `dlrhub_*` names a file's queries use, without histogram suffixes.
    fn metrics_named_in(path: &str) -> Vec<String> {
        let text = std::fs::read_to_string(format!("{}/../{path}", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut names = Vec::new();
        for (start, _) in text.match_indices("dlrhub_") {
            let name: String = text[start..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            let name = ["_bucket", "_count", "_sum"]
                .iter()
                .find_map(|suffix| name.strip_suffix(suffix))
                .unwrap_or(&name)
                .to_owned();
            names.push(name);
        }
        names
    }

    #[test]
    fn the_shipped_alerts_and_dashboard_use_only_metrics_dlrhub_serves() {
        for path in [
            "deploy/prometheus/alerts.yml",
            "deploy/prometheus/alerts.test.yml",
            "deploy/grafana/dlrhub.json",
        ] {
            let names = metrics_named_in(path);
            assert!(!names.is_empty(), "{path} names no metric");
            for name in names {
                assert!(
                    ALL.contains(&name.as_str()),
                    "{path}: `{name}` is not served"
                );
            }
        }
    }

    #[test]
    fn the_dashboard_is_grafana_json_with_a_query_in_every_panel() {
        let path = format!(
            "{}/../deploy/grafana/dlrhub.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("the dashboard");
        let dashboard: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let panels = dashboard["panels"].as_array().expect("panels");
        assert!(panels.len() >= 8);
        for panel in panels {
            let expr = panel["targets"][0]["expr"].as_str().unwrap_or_default();
            assert!(expr.contains("dlrhub_"), "{}", panel["title"]);
        }
    }
}
