use domain::access::Action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::activity::{get_overview, Attention, Overview};
use crate::components::charts::OutcomeBars;
use crate::components::common::{LoadError, ServiceStatusCard};
use crate::components::demo::TryTheDemo;
use crate::signed_in::signed_in;

/// How often the open overview reads its numbers again.
const REFRESH_SECS: u64 = 15;

/// The landing page: the last 24 hours across the tenants the user can see, one chart, and
/// what needs attention with a link to where it is fixed.
#[component]
pub fn OverviewPage() -> impl IntoView {
    // Blocking, and no ErrorBoundary: with the service status card's boundary beside it,
    // this Leptos version streamed the two boundaries' contents into each other's places
    // and hydration failed.
    let numbers = Resource::new_blocking(|| (), |_| get_overview());
    // The numbers follow the roll-up without a reload (in the browser only: effects do
    // not run on the server). The transition keeps the old numbers until the new arrive.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || numbers.refetch(),
            std::time::Duration::from_secs(REFRESH_SECS),
        ) {
            on_cleanup(move || handle.clear());
        }
    });

    view! {
        <Title text="Overview" />
        <header class="page-header">
            <h1>"Overview"</h1>
            <p class="page-header__lede">
                "The last 24 hours across your tenants, kept up to date while the page is open."
            </p>
        </header>
        <Transition fallback=OverviewSkeleton>
            {move || Suspend::new(async move {
                match numbers.await {
                    Ok(overview) => view! { <OverviewView overview /> }.into_any(),
                    Err(error) => view! { <LoadError error what="the overview" /> }.into_any(),
                }
            })}
        </Transition>
        <ServiceStatusCard />
    }
}

#[component]
fn OverviewSkeleton() -> impl IntoView {
    view! {
        <section class="panel" aria-busy="true">
            <div class="stats">
                {(0..6)
                    .map(|_| {
                        view! {
                            <div class="stat">
                                <span class="skeleton"></span>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
            <p class="skeleton-block"></p>
        </section>
    }
}

#[component]
fn OverviewView(overview: Overview) -> impl IntoView {
    if overview.tenants == 0 {
        let hint = if signed_in().may(Action::ManageTenants) {
            view! {
                <A href="/tenants">"Register a MoEngage workspace"</A>
                " and paste its callback URL into Sinch; its delivery reports show up here."
            }
            .into_any()
        } else {
            view! { "An admin gives you access to the tenants you work with." }.into_any()
        };
        let demo = signed_in()
            .may(Action::RunDemo)
            .then(|| view! { <TryTheDemo /> });
        return view! {
            <section class="panel">
                <p class="empty-note">"No tenants to show yet. " {hint}</p>
                {demo}
            </section>
        }
        .into_any();
    }
    let day = &overview.day;
    let failed = day
        .failed_percent()
        .map_or_else(|| "—".to_owned(), |p| format!("{p:.1} %"));
    let backlog = match &overview.backlog_age {
        Some(age) => format!("{} (oldest {age})", overview.backlog),
        None => overview.backlog.to_string(),
    };
    let stats = [
        ("Received", day.received.to_string(), "reports from Sinch"),
        (
            "Forwarded",
            day.forwarded.to_string(),
            "events sent to MoEngage",
        ),
        ("Failed", failed, "of messages with a final status"),
        (
            "Rejected",
            day.rejected.to_string(),
            "reports without a usable uid",
        ),
        (
            "Dead letters",
            overview.dead_letters.to_string(),
            "events given up on, now",
        ),
        ("Backlog", backlog, "events waiting to be forwarded"),
    ];
    let stats = stats
        .into_iter()
        .map(|(label, value, hint)| {
            view! {
                <div class="stat">
                    <dt>{label}</dt>
                    <dd class="stat__value num">{value}</dd>
                    <dd class="stat__hint">{hint}</dd>
                </div>
            }
        })
        .collect_view();

    view! {
        <section class="panel" aria-labelledby="day-title">
            <h2 class="panel__title" id="day-title">
                "Last 24 hours"
            </h2>
            <dl class="stats">{stats}</dl>
            <OutcomeBars hours=overview.hours label="Events per hour".to_owned() />
        </section>
        <NeedsAttention items=overview.attention />
    }
    .into_any()
}

#[component]
fn NeedsAttention(items: Vec<Attention>) -> impl IntoView {
    let body = if items.is_empty() {
        view! { <p class="empty-note">"Nothing needs attention: forwarding runs everywhere."</p> }
            .into_any()
    } else {
        let rows = items
            .into_iter()
            .map(|item| {
                view! {
                    <li class="attention__item">
                        <span>
                            <strong>{item.tenant}</strong>
                            ": "
                            {item.problem}
                        </span>
                        <a class="button--quiet" href=item.href>
                            {item.action}
                        </a>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="attention">{rows}</ul> }.into_any()
    };
    view! {
        <section class="panel" aria-labelledby="attention-title">
            <h2 class="panel__title" id="attention-title">
                "Needs attention"
            </h2>
            {body}
        </section>
    }
}
