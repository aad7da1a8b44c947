use leptos::prelude::*;

use crate::api::activity::{CategoryTrend, RejectionSample, TenantCharts};
use crate::api::error::ApiError;
use crate::components::charts::{CategoryRates, Line, LineChart, OutcomeBars};
use crate::components::common::{DataTable, LoadError};
use crate::components::tenants::{EventsResource, EventsTable};

/// A tenant's charts, loaded by the page only when this tab is open.
pub type ChartsResource = Resource<Result<Option<TenantCharts>, ApiError>>;

/// A tenant's charts (24 hours and 7 days by hour, delivery rate by category) and its
/// latest events.
#[component]
pub fn ActivityTab(charts: ChartsResource, events: EventsResource) -> impl IntoView {
    view! {
        <Transition fallback=|| {
            view! { <p class="skeleton-block" aria-busy="true"></p> }
        }>
            {move || Suspend::new(async move {
                match charts.await {
                    Ok(charts) => charts.map(|charts| view! { <Charts charts /> }).into_any(),
                    Err(error) => view! { <LoadError error what="the charts" /> }.into_any(),
                }
            })}
        </Transition>
        <section class="panel" aria-labelledby="latest-title">
            <h2 class="panel__title" id="latest-title">
                "Latest events"
            </h2>
            <EventsTable events />
        </section>
    }
}

#[component]
fn Charts(charts: TenantCharts) -> impl IntoView {
    let periods = [
        ("day", "Last 24 hours", charts.day),
        ("week", "Last 7 days", charts.week),
    ];
    let panels = periods
        .into_iter()
        .map(|(id, title, hours)| {
            view! {
                <section class="panel" aria-labelledby=format!("{id}-title")>
                    <h2 class="panel__title" id=format!("{id}-title")>
                        {title}
                    </h2>
                    <OutcomeBars hours label=format!("Events per hour, {}", title.to_lowercase()) />
                </section>
            }
        })
        .collect_view();
    view! {
        {panels}
        <section class="panel" aria-labelledby="rates-title">
            <h2 class="panel__title" id="rates-title">
                "Delivery rate by category, last 7 days"
            </h2>
            <CategoryRates categories=charts.categories />
        </section>
        <Trends trends=charts.trends />
        <Rejections rejections=charts.rejections />
    }
}

/// Per busy category, hour by hour over 7 days: the delivery rate, and how long delivered
/// messages took from Dispatched to Delivered (median and 95th percentile).
#[component]
fn Trends(trends: Vec<CategoryTrend>) -> impl IntoView {
    if trends.is_empty() {
        return ().into_any();
    }
    let charts = trends
        .into_iter()
        .map(|trend| {
            let name = if trend.category.is_empty() {
                "No category".to_owned()
            } else {
                trend.category.clone()
            };
            let axis = (
                trend
                    .points
                    .first()
                    .map(|p| p.label.clone())
                    .unwrap_or_default(),
                trend
                    .points
                    .last()
                    .map(|p| p.label.clone())
                    .unwrap_or_default(),
            );
            let points: Vec<String> = trend.points.iter().map(|p| p.exact.clone()).collect();
            let rate = vec![Line {
                class: "delivered",
                label: "Delivered",
                values: trend
                    .points
                    .iter()
                    .map(|p| p.rate_permille.map(|r| r as f64 / 10.0))
                    .collect(),
            }];
            let seconds = |pick: fn(&crate::api::activity::TrendPoint) -> Option<i64>| {
                trend
                    .points
                    .iter()
                    .map(|p| pick(p).map(|ms| ms as f64 / 1000.0))
                    .collect()
            };
            let times = vec![
                Line {
                    class: "p50",
                    label: "p50",
                    values: seconds(|p| p.p50_ms),
                },
                Line {
                    class: "p95",
                    label: "p95",
                    values: seconds(|p| p.p95_ms),
                },
            ];
            view! {
                <div class="trend">
                    <h3 class="mono">{name.clone()}</h3>
                    <div class="trend__charts">
                        <div>
                            <h4>"Delivery rate"</h4>
                            <LineChart
                                lines=rate
                                points=points.clone()
                                axis=axis.clone()
                                max=100.0
                                unit=percent
                                label=format!("Delivery rate of {name} per hour")
                            />
                        </div>
                        <div>
                            <h4>"Dispatched → Delivered"</h4>
                            <LineChart
                                lines=times
                                points
                                axis
                                unit=duration
                                label=format!("Time to deliver {name} per hour, p50 and p95")
                            />
                        </div>
                    </div>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="trends-title">
            <h2 class="panel__title" id="trends-title">
                "Delivery by category, hour by hour over 7 days"
            </h2>
            <p class="panel__lede">
                "The delivery rate (delivered of delivered + failed) and the time from Sinch's Dispatched to its Delivered, median (p50) and 95th percentile (p95), by Sinch's clock; the times are kept in buckets, so each is within about 5 %."
            </p>
            {charts}
        </section>
    }
    .into_any()
}

fn percent(value: f64) -> String {
    format!("{value:.1} %")
}

fn duration(seconds: f64) -> String {
    if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else {
        format!("{:.1} min", seconds / 60.0)
    }
}

/// The latest reports rejected for their uid, with the client_reference that caused it.
#[component]
fn Rejections(rejections: Vec<RejectionSample>) -> impl IntoView {
    let body = if rejections.is_empty() {
        view! { <p class="empty-note">"No report has been rejected for its uid."</p> }.into_any()
    } else {
        let rows = rejections
            .into_iter()
            .map(|rejection| {
                view! {
                    <tr>
                        <td data-label="Time">
                            <time datetime=rejection.at.iso title=rejection.at.exact>
                                {rejection.at.relative}
                            </time>
                        </td>
                        <td data-label="Reason">
                            <span class="chip chip--rejected">
                                {reason_label(&rejection.reason)}
                            </span>
                        </td>
                        <td data-label="Why">{rejection.detail}</td>
                        <td data-label="client_reference" class="mono">
                            {rejection.client_reference.unwrap_or_else(|| "(none)".to_owned())}
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! { <DataTable columns=&["Time", "Reason", "Why", "client_reference"]>{rows}</DataTable> }
            .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="rejections-title">
            <h2 class="panel__title" id="rejections-title">
                "Reports without a usable uid"
            </h2>
            <p class="panel__lede">
                "Stored, never forwarded. Each batch must carry "
                <code>"$uid=<MoEngage customer_id>"</code>
                " in its client_reference, with a real customer id (not \"unknown\", \"0\" or empty)."
            </p>
            {body}
        </section>
    }
}

fn reason_label(reason: &str) -> &'static str {
    match reason {
        "missing_uid" => "Missing uid",
        "refused_uid" => "Refused id",
        _ => "uid too long",
    }
}
