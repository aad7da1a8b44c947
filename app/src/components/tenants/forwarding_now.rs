use leptos::prelude::*;

use crate::api::tenants::ForwardingFacts;

/// How forwarding is going right now, on every tab of the tenant page: the rate achieved
/// against the tenant's cap, the backlog and how long it takes to drain, and a warning
/// while MoEngage keeps failing for the workspace.
#[component]
pub fn ForwardingNow(forwarding: ForwardingFacts) -> impl IntoView {
    let now = forwarding.now;
    let failing = now.failing_since.map(|since| {
        view! {
            <p class="notice notice--error" role="alert">
                "MoEngage is failing for this workspace since "
                <time datetime=since.iso title=since.exact.clone()>
                    {since.exact.clone()}
                </time>
                " ("
                {since.relative}
                "): dlrhub probes it with one request at a time and ramps back up once it answers. Nothing is lost: the events wait and are retried."
            </p>
        }
    });
    let backlog = match (now.waiting, now.drain_eta) {
        (0, _) => "nothing waiting".to_owned(),
        (waiting, Some(eta)) => format!("{waiting} waiting, about {eta} to drain"),
        (waiting, None) => format!("{waiting} waiting"),
    };
    let growing = now
        .growing
        .then(|| view! { <span class="chip chip--warn">"backlog growing"</span> });
    view! {
        {failing}
        <p class="forwarding-now">
            <strong>"Forwarding now: "</strong>
            {format!("{} of {} events/s", now.rate_now, forwarding.rate_per_s)}
            " · "
            {backlog}
            " "
            {growing}
        </p>
    }
}
