use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::activity::get_tenant_charts;
use crate::api::error::status_of;
use crate::api::events::tenant_events;
use crate::api::tenants::{get_tenant, TenantDetail};
use crate::components::common::{LoadError, StateChip};
use crate::components::demo::DemoBanner;
use crate::components::tenants::{
    ActivityTab, ChartsResource, EventsResource, ForwardingNow, SettingsTab, SetupTab,
    TenantActions,
};

/// The tabs of a tenant's page, in the URL (`?tab=`) so that each can be linked to.
const TABS: [(&str, &str); 3] = [
    ("setup", "Set-up"),
    ("activity", "Activity"),
    ("settings", "Settings"),
];

/// One tenant: set-up (the callback URL and how to use it, the self-check), activity
/// (charts and latest events) and settings. A tenant outside the user's scope is a 404.
///
/// Every resource and action of the page is created here, outside the suspense boundary:
/// resources created inside one fail to hydrate, and the tabs re-render whenever the
/// tenant is read again. The resources block, so the server sends the page whole (sibling
/// or nested streamed boundaries are put in the wrong places by this Leptos version).
#[component]
pub fn TenantPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let app_key = move || params.with(|p| p.get("app_key").unwrap_or_default());
    let tab = move || {
        let asked = query.with(|q| q.get("tab").unwrap_or_default());
        TABS.iter()
            .map(|(code, _)| *code)
            .find(|code| *code == asked)
            .unwrap_or("setup")
    };
    let actions = TenantActions::new();
    // Blocking also makes the server function's 404 (unknown, or outside the user's
    // scope) the page's status before the first byte is sent.
    let detail = Resource::new_blocking(
        move || (app_key(), actions.changes()),
        |(app_key, _)| async move { status_of(get_tenant(app_key).await) },
    );
    let events: EventsResource = Resource::new_blocking(
        move || (app_key(), actions.send_report.version().get()),
        |(app_key, _)| async move { status_of(tenant_events(app_key).await) },
    );
    let charts: ChartsResource = Resource::new_blocking(
        move || (app_key(), tab() == "activity"),
        |(app_key, wanted)| async move {
            if wanted {
                get_tenant_charts(app_key).await.map(Some)
            } else {
                Ok(None)
            }
        },
    );

    view! {
        <Transition fallback=|| {
            view! { <p class="skeleton-block" aria-busy="true"></p> }
        }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => {
                        view! { <TenantView detail tab=tab() actions events charts /> }.into_any()
                    }
                    Err(error) => view! { <LoadError error what="this tenant" /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TenantView(
    detail: TenantDetail,
    tab: &'static str,
    actions: TenantActions,
    events: EventsResource,
    charts: ChartsResource,
) -> impl IntoView {
    let tenant = detail.summary.clone();
    let forwarding = detail.forwarding.clone();
    let tabs = TABS
        .iter()
        .map(|(code, label)| {
            let href = format!("/tenants/{}?tab={code}", tenant.app_key);
            let current = (*code == tab).then_some("page");
            view! {
                <a class="tabs__tab" href=href aria-current=current>
                    {*label}
                </a>
            }
        })
        .collect_view();
    let demo = detail
        .demo
        .then(|| view! { <DemoBanner app_key=tenant.app_key.clone() /> });
    let body = match tab {
        "activity" => view! { <ActivityTab charts events /> }.into_any(),
        "settings" => view! { <SettingsTab detail actions /> }.into_any(),
        _ => view! { <SetupTab detail actions events /> }.into_any(),
    };

    view! {
        <Title text=tenant.name.clone() />
        <header class="page-header">
            <h1>{tenant.name.clone()}</h1>
            <p class="page-header__lede">
                <span class="mono">{tenant.app_key.clone()}</span>
                " · "
                {tenant.data_center.clone()}
                " · "
                <StateChip on=tenant.enabled on_label="Enabled" off_label="Disabled" />
            </p>
            <ForwardingNow forwarding />
            {demo}
        </header>
        <nav class="tabs" aria-label="Tenant sections">
            {tabs}
        </nav>
        {body}
    }
}
