use leptos::prelude::*;

use crate::api::activity::TenantCharts;
use crate::components::charts::{CategoryRates, OutcomeBars};
use crate::components::common::LoadError;
use crate::components::tenants::{EventsResource, EventsTable};

/// A tenant's charts, loaded by the page only when this tab is open.
pub type ChartsResource = Resource<Result<Option<TenantCharts>, ServerFnError>>;

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
    }
}
