//! On the server: the console's reading of the activity rows (health, attention, ages).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use store::activity::{Hour, TenantActivity as Row, UnknownWorkspace};
use store::forwarding::leases::ForwardingNow as Live;
use store::tenants::TenantId;

use super::{
    Attention, CategoryTrend, Counts, ForwardingNow, Health, HourPoint, Moment, TenantActivity,
    TrendPoint,
};

/// What the forwarder says of each of these tenants now.
pub async fn forwarding_of(
    pool: &store::PgPool,
    rows: &[Row],
) -> Result<HashMap<TenantId, Live>, store::DbError> {
    let ids: Vec<TenantId> = rows.iter().map(|row| row.id).collect();
    Ok(store::forwarding::leases::now(pool, &ids)
        .await?
        .into_iter()
        .collect())
}

/// The forwarder's facts as people read them.
pub fn forwarding_now(live: &Live, now: DateTime<Utc>) -> ForwardingNow {
    let rate_now = live.rate_now.max(0.0).round() as u32;
    let drain_eta = (live.waiting > 0 && rate_now > 0)
        .then(|| age(Duration::seconds(live.waiting / i64::from(rate_now).max(1))));
    ForwardingNow {
        rate_now,
        waiting: live.waiting,
        drain_eta,
        growing: live.growing,
        failing_since: live.failing_since.map(|at| moment(at, now)),
    }
}

/// Events waiting longer than this make a tenant's forwarding "backlogged".
const BACKLOG_AFTER: i64 = 60;
/// Rejections in 24 h below this are noise, whatever the trend.
const REJECTIONS_WORTH_A_LOOK: i64 = 10;

pub fn counts(row: &Row) -> Counts {
    Counts {
        received: row.received,
        rejected: row.rejected,
        forwarded: row.forwarded,
        dead_lettered: row.dead_lettered,
        sent: row.sent,
        delivered: row.delivered,
        failed: row.failed,
    }
}

pub fn tenant_activity(row: &Row, live: Option<&Live>, now: DateTime<Utc>) -> TenantActivity {
    TenantActivity {
        app_key: row.app_key.clone(),
        name: row.name.clone(),
        data_center: domain::DataCenter::from_number(row.data_center)
            .map(|dc| dc.to_string())
            .unwrap_or_default(),
        enabled: row.integration_enabled,
        last_report: row.last_report_at.map(|at| moment(at, now)),
        day: counts(row),
        dead_letters: row.dead_letters,
        backlog: row.backlog,
        health: health(row, live, now),
        waiting_calls: row.refused_disabled,
    }
}

fn health(row: &Row, live: Option<&Live>, now: DateTime<Utc>) -> Health {
    if row.forwarding_paused_at.is_some() {
        return Health::Paused {
            reason: row
                .forwarding_paused_reason
                .clone()
                .unwrap_or_else(|| store::forwarding::REFUSED_KEY_REASON.to_owned()),
        };
    }
    if let Some(since) = live.and_then(|live| live.failing_since) {
        return Health::Failing {
            since: moment(since, now),
        };
    }
    match row.backlog_since {
        Some(since) if (now - since).num_seconds() > BACKLOG_AFTER => Health::Backlog {
            events: row.backlog,
            since: moment(since, now),
        },
        _ => Health::Ok,
    }
}

/// What to look at, most urgent first: forwarding stopped, then traffic refused, then
/// a rise in reports whose uid cannot be used.
pub fn attention(
    rows: &[Row],
    forwarding: &HashMap<TenantId, Live>,
    unknown: &[UnknownWorkspace],
    now: DateTime<Utc>,
) -> Vec<Attention> {
    let page = |row: &Row, tab: &str| format!("/tenants/{}?tab={tab}", row.app_key);
    let mut items = Vec::new();
    for row in rows.iter().filter(|r| r.forwarding_paused_at.is_some()) {
        items.push(Attention {
            tenant: row.name.clone(),
            problem: format!(
                "forwarding paused: {}",
                row.forwarding_paused_reason
                    .as_deref()
                    .unwrap_or(store::forwarding::REFUSED_KEY_REASON)
            ),
            action: "Replace the key".to_owned(),
            href: page(row, "settings"),
        });
    }
    for row in rows {
        let Some(live) = forwarding.get(&row.id) else {
            continue;
        };
        if let Some(since) = live.failing_since {
            items.push(Attention {
                tenant: row.name.clone(),
                problem: format!(
                    "MoEngage is failing for this workspace since {} ({}); one request at a time probes it",
                    since.format("%H:%M UTC"),
                    moment(since, now).relative
                ),
                action: "See forwarding".to_owned(),
                href: page(row, "settings"),
            });
        } else if live.growing && row.forwarding_paused_at.is_none() {
            let facts = forwarding_now(live, now);
            items.push(Attention {
                tenant: row.name.clone(),
                problem: format!(
                    "the forwarding backlog grows: {} waiting, {} events/s forwarded",
                    live.waiting, facts.rate_now
                ),
                action: "See forwarding".to_owned(),
                href: page(row, "settings"),
            });
        }
    }
    for row in rows.iter().filter(|r| r.refused_disabled > 0) {
        items.push(Attention {
            tenant: row.name.clone(),
            problem: format!(
                "Sinch is calling but the integration is disabled ({} {} waiting, last {})",
                row.refused_disabled,
                plural(row.refused_disabled, "call", "calls"),
                row.refused_disabled_last
                    .map(|at| moment(at, now).relative)
                    .unwrap_or_default()
            ),
            action: "Enable".to_owned(),
            href: page(row, "settings"),
        });
    }
    for row in rows.iter().filter(|r| {
        r.refused_unauthorized_last
            .is_some_and(|at| now - at < Duration::days(1))
    }) {
        items.push(Attention {
            tenant: row.name.clone(),
            problem: format!(
                "Sinch's calls fail authentication ({} refused, last {}): is the callback URL in Sinch the current one?",
                row.refused_unauthorized,
                row.refused_unauthorized_last
                    .map(|at| moment(at, now).relative)
                    .unwrap_or_default()
            ),
            action: "See the callback URL".to_owned(),
            href: page(row, "setup"),
        });
    }
    for row in rows.iter().filter(|r| rejections_rising(r)) {
        items.push(Attention {
            tenant: row.name.clone(),
            problem: format!(
                "{} {} without a usable uid in the last 24 h",
                row.rejected,
                plural(row.rejected, "report", "reports")
            ),
            action: "See why".to_owned(),
            href: page(row, "activity"),
        });
    }
    for workspace in unknown {
        items.push(Attention {
            tenant: workspace.app_key.clone(),
            problem: format!(
                "Sinch calls a workspace id no tenant has ({} {}, last {})",
                workspace.calls,
                plural(workspace.calls, "call", "calls"),
                moment(workspace.last_at, now).relative
            ),
            action: "Register it".to_owned(),
            href: "/tenants#register-title".to_owned(),
        });
    }
    items
}

/// At least a handful today, and more than twice the daily average of the six days
/// before (any at all when there were none).
fn rejections_rising(row: &Row) -> bool {
    row.rejected >= REJECTIONS_WORTH_A_LOOK && row.rejected * 6 > 2 * row.rejected_before
}

pub fn hour_point(hour: &Hour) -> HourPoint {
    HourPoint {
        label: hour.hour.format("%a %H:00").to_string(),
        exact: domain::shown_time::to_hour(hour.hour),
        sent: hour.sent,
        delivered: hour.delivered,
        failed: hour.failed,
        rejected: hour.rejected,
    }
}

pub fn trends(categories: &[String], hours: &[store::activity::TrendHour]) -> Vec<CategoryTrend> {
    categories
        .iter()
        .map(|category| CategoryTrend {
            category: category.clone(),
            points: hours
                .iter()
                .filter(|h| h.category == *category)
                .map(|h| {
                    let finished = h.delivered + h.failed;
                    TrendPoint {
                        label: h.hour.format("%a %H:00").to_string(),
                        exact: domain::shown_time::to_hour(h.hour),
                        rate_permille: (finished > 0).then(|| h.delivered * 1000 / finished),
                        p50_ms: h.p50_ms,
                        p95_ms: h.p95_ms,
                    }
                })
                .collect(),
        })
        .collect()
}

pub fn moment(at: DateTime<Utc>, now: DateTime<Utc>) -> Moment {
    Moment {
        iso: at.to_rfc3339(),
        relative: format!("{} ago", age(now - at)),
        exact: domain::shown_time::to_second(at),
    }
}

/// "12 s", "3 min", "5 h", "2 d".
pub fn age(elapsed: Duration) -> String {
    let seconds = elapsed.num_seconds().max(0);
    match seconds {
        0..=59 => format!("{seconds} s"),
        60..=3599 => format!("{} min", seconds / 60),
        3600..=86_399 => format!("{} h", seconds / 3600),
        _ => format!("{} d", seconds / 86_400),
    }
}

fn plural<'a>(n: i64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backlog_drains_in_its_size_over_the_rate_achieved() {
        let now = Utc::now();
        let live = |rate_now: f32, waiting: i64| Live {
            rate_now,
            failing_since: None,
            waiting,
            growing: false,
        };
        let draining = forwarding_now(&live(449.6, 27_000), now);
        assert_eq!(draining.rate_now, 450);
        assert_eq!(draining.drain_eta.as_deref(), Some("1 min"));
        assert_eq!(
            forwarding_now(&live(0.0, 500), now).drain_eta,
            None,
            "nothing moves"
        );
        assert_eq!(
            forwarding_now(&live(300.0, 0), now).drain_eta,
            None,
            "nothing waits"
        );
    }

    #[test]
    fn ages_read_in_the_largest_whole_unit() {
        assert_eq!(age(Duration::seconds(-3)), "0 s");
        assert_eq!(age(Duration::seconds(59)), "59 s");
        assert_eq!(age(Duration::seconds(61)), "1 min");
        assert_eq!(age(Duration::hours(5)), "5 h");
        assert_eq!(age(Duration::days(3)), "3 d");
    }
}
