//! What is happening, for the overview, the tenants list and a tenant's page: counts over
//! the last 24 hours and 7 days, reports per hour by outcome, forwarding health, and what
//! needs someone's attention. All within the user's tenant scope.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Counts over a window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub received: i64,
    pub rejected: i64,
    pub forwarded: i64,
    pub dead_lettered: i64,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
}

impl Counts {
    /// Failed among the messages that reached a final status, in percent.
    pub fn failed_percent(&self) -> Option<f64> {
        let finished = self.delivered + self.failed;
        (finished > 0).then(|| self.failed as f64 * 100.0 / finished as f64)
    }

    #[cfg(feature = "ssr")]
    fn add(&mut self, other: &Counts) {
        self.received += other.received;
        self.rejected += other.rejected;
        self.forwarded += other.forwarded;
        self.dead_lettered += other.dead_lettered;
        self.sent += other.sent;
        self.delivered += other.delivered;
        self.failed += other.failed;
    }
}

/// A moment, as the console shows it: relative, with the exact UTC time on hover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moment {
    pub iso: String,
    pub relative: String,
    pub exact: String,
}

/// How a tenant's forwarding is going right now, from the process that drives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardingNow {
    /// Events per second MoEngage accepted over the last few seconds.
    pub rate_now: u32,
    /// Events waiting to be forwarded (sampled every few seconds).
    pub waiting: i64,
    /// How long the backlog takes to drain at the current rate ("4 min"), when there is
    /// one and anything is moving.
    pub drain_eta: Option<String>,
    /// The backlog grew over the last five to ten minutes.
    pub growing: bool,
    /// MoEngage has been failing (5xx, no answer) for the workspace since then.
    pub failing_since: Option<Moment>,
}

/// How a tenant's forwarding is doing, worst first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Health {
    /// MoEngage refused the Data API key; nothing is sent until it is replaced.
    Paused {
        reason: String,
    },
    /// MoEngage keeps failing for the workspace: one request at a time probes it.
    Failing {
        since: Moment,
    },
    /// Events have waited more than a minute.
    Backlog {
        events: i64,
        since: Moment,
    },
    Ok,
}

/// One row of the tenants list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantActivity {
    pub app_key: String,
    pub name: String,
    pub data_center: String,
    pub enabled: bool,
    pub last_report: Option<Moment>,
    pub day: Counts,
    pub dead_letters: i64,
    pub backlog: i64,
    pub health: Health,
    /// Calls Sinch made while the integration was disabled (since it was last enabled).
    pub waiting_calls: i64,
}

/// One bar of a chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourPoint {
    pub label: String,
    pub exact: String,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
    pub rejected: i64,
}

/// Something someone should look at, with where to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    pub tenant: String,
    pub problem: String,
    pub action: String,
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub tenants: usize,
    pub day: Counts,
    pub dead_letters: i64,
    pub backlog: i64,
    /// How long the oldest waiting event has waited.
    pub backlog_age: Option<String>,
    pub hours: Vec<HourPoint>,
    pub attention: Vec<Attention>,
    /// An admin with no tenant yet, where forwarding goes to the MoEngage simulator, is
    /// offered the demo (`api::demo`).
    pub demo_offered: bool,
}

/// A category's delivery rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryRate {
    pub category: String,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
}

impl CategoryRate {
    pub fn delivered_percent(&self) -> Option<f64> {
        let finished = self.delivered + self.failed;
        (finished > 0).then(|| self.delivered as f64 * 100.0 / finished as f64)
    }
}

/// A report whose uid could not be used, as customer success explains it to the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionSample {
    pub at: Moment,
    pub reason: String,
    pub detail: String,
    pub client_reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantCharts {
    pub day: Vec<HourPoint>,
    pub week: Vec<HourPoint>,
    pub categories: Vec<CategoryRate>,
    /// The latest reports rejected for their uid (at most 10).
    pub rejections: Vec<RejectionSample>,
    /// The busiest categories' delivery rate and time to deliver, hour by hour.
    pub trends: Vec<CategoryTrend>,
}

/// How many categories get trend charts (the busiest).
pub const TREND_CATEGORIES: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryTrend {
    /// Empty for reports without a category.
    pub category: String,
    pub points: Vec<TrendPoint>,
}

/// One hour of a category; None where the hour had nothing to measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub label: String,
    pub exact: String,
    /// Delivered out of delivered + failed, in tenths of a percent.
    pub rate_permille: Option<i64>,
    /// Dispatched -> Delivered, median and 95th percentile, in milliseconds.
    pub p50_ms: Option<i64>,
    pub p95_ms: Option<i64>,
}

/// The tenants list's rows.
#[server(endpoint = "tenants_activity")]
pub async fn tenants_activity() -> Result<Vec<TenantActivity>, ServerFnError> {
    use super::access::{allowed, internal, pool};
    let principal = allowed(domain::access::Action::ViewEvents)?;
    let now = chrono::Utc::now();
    let pool = pool()?;
    let rows = store::activity::tenants(
        &pool,
        principal.visible_tenants(),
        now - chrono::Duration::hours(23),
    )
    .await
    .map_err(internal)?;
    let forwarding = server::forwarding_of(&pool, &rows)
        .await
        .map_err(internal)?;
    Ok(rows
        .iter()
        .map(|row| server::tenant_activity(row, forwarding.get(&row.id), now))
        .collect())
}

/// The landing page: the last 24 hours across the user's tenants.
#[server(endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, ServerFnError> {
    use domain::access::Action;

    use super::access::{allowed, internal, pool};
    let principal = allowed(Action::ViewEvents)?;
    let pool = pool()?;
    let now = chrono::Utc::now();
    let since = now - chrono::Duration::hours(23);
    let scope = principal.visible_tenants();
    let tenants = store::activity::tenants(&pool, scope, since)
        .await
        .map_err(internal)?;
    let hours = store::activity::hours(&pool, scope, since)
        .await
        .map_err(internal)?;
    // Unregistered workspaces belong to no tenant: only people who register tenants see them.
    let unknown = if principal.may(Action::ManageTenants) {
        store::activity::unknown_workspaces(&pool, now - chrono::Duration::days(1))
            .await
            .map_err(internal)?
    } else {
        Vec::new()
    };
    let forwarding = server::forwarding_of(&pool, &tenants)
        .await
        .map_err(internal)?;
    let mut day = Counts::default();
    for tenant in &tenants {
        day.add(&server::counts(tenant));
    }
    let oldest = tenants.iter().filter_map(|t| t.backlog_since).min();
    let demo_offered = tenants.is_empty()
        && principal.may(Action::RunDemo)
        && super::demo::available().await == Some(super::demo::DemoAvailability::Available);
    Ok(Overview {
        tenants: tenants.len(),
        day,
        dead_letters: tenants.iter().map(|t| t.dead_letters).sum(),
        backlog: tenants.iter().map(|t| t.backlog).sum(),
        backlog_age: oldest.map(|at| server::age(now - at)),
        hours: hours.iter().map(server::hour_point).collect(),
        attention: server::attention(&tenants, &forwarding, &unknown, now),
        demo_offered,
    })
}

/// A tenant's charts: per hour over 24 hours and 7 days, and delivery rate by category.
#[server(endpoint = "tenant_charts")]
pub async fn get_tenant_charts(app_key: String) -> Result<TenantCharts, ServerFnError> {
    use super::access::{allowed, internal, pool};
    use super::tenants::visible;

    let principal = allowed(domain::access::Action::ViewEvents)?;
    let tenant = visible(&principal, &app_key).await?;
    let pool = pool()?;
    let now = chrono::Utc::now();
    let only = [tenant.id];
    let week = store::activity::hours(&pool, Some(&only), now - chrono::Duration::hours(167))
        .await
        .map_err(internal)?;
    let categories = store::activity::categories(&pool, tenant.id, now - chrono::Duration::days(7))
        .await
        .map_err(internal)?;
    let rejections = store::activity::latest_rejections(&pool, tenant.id, 10)
        .await
        .map_err(internal)?;
    let busiest: Vec<String> = categories
        .iter()
        .take(TREND_CATEGORIES)
        .map(|c| c.category.clone())
        .collect();
    let hours = store::activity::trends(
        &pool,
        tenant.id,
        &busiest,
        now - chrono::Duration::hours(167),
    )
    .await
    .map_err(internal)?;
    let week: Vec<HourPoint> = week.iter().map(server::hour_point).collect();
    Ok(TenantCharts {
        trends: server::trends(&busiest, &hours),
        day: week[week.len().saturating_sub(24)..].to_vec(),
        week,
        categories: categories
            .into_iter()
            .map(|c| CategoryRate {
                category: c.category,
                sent: c.sent,
                delivered: c.delivered,
                failed: c.failed,
            })
            .collect(),
        rejections: rejections
            .into_iter()
            .map(|r| RejectionSample {
                at: server::moment(r.received_at, now),
                reason: r.reason,
                detail: r.detail,
                client_reference: r.client_reference,
            })
            .collect(),
    })
}

#[cfg(feature = "ssr")]
pub(crate) use server::{age, forwarding_now, moment};

#[cfg(feature = "ssr")]
mod server {
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

    pub fn trends(
        categories: &[String],
        hours: &[store::activity::TrendHour],
    ) -> Vec<CategoryTrend> {
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
}
