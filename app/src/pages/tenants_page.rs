use domain::access::Action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::query_string::encode;

use crate::api::activity::{tenants_activity, Health, TenantActivity};
use crate::api::tenants::RegisterTenant;
use crate::components::common::{DataTable, ErrorPanel, StateChip};
use crate::components::tenants::RegisterForm;
use crate::signed_in::signed_in;

/// The tenants the user may see (a viewer: the ones assigned to them) with their last
/// 24 hours and forwarding health, searchable and sortable through the URL (so a view can
/// be shared and works before the script loads); for support and admins, the register form.
#[component]
pub fn TenantsPage() -> impl IntoView {
    let register = ServerAction::<RegisterTenant>::new();
    let tenants = Resource::new(move || register.version().get(), |_| tenants_activity());
    let may_register = signed_in().may(Action::ManageTenants);
    let query = use_query_map();
    let search = move || query.with(|q| q.get("q").unwrap_or_default());
    let sort = move || Sort::parse(&query.with(|q| q.get("sort").unwrap_or_default()));

    view! {
        <Title text="Tenants" />
        <header class="page-header">
            <h1>"Tenants"</h1>
            <p class="page-header__lede">
                "MoEngage workspaces whose Sinch delivery reports dlrhub receives and forwards. Counts cover the last 24 hours."
            </p>
        </header>
        <form method="get" action="/tenants" class="toolbar" role="search">
            <label for="tenant-search" class="visually-hidden">
                "Search tenants"
            </label>
            <input
                id="tenant-search"
                name="q"
                type="search"
                placeholder="Name or workspace id"
                prop:value=search
            />
            <input type="hidden" name="sort" prop:value=move || sort().code() />
            <button type="submit" class="button--quiet">
                "Search"
            </button>
        </form>
        <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors what="the tenants" /> }>
            <Transition fallback=|| {
                view! { <p class="skeleton-block" aria-busy="true"></p> }
            }>
                {move || Suspend::new(async move {
                    tenants
                        .await
                        .map(|tenants| {
                            view! { <TenantsTable tenants search=search() sort=sort() /> }
                        })
                })}
            </Transition>
        </ErrorBoundary>
        {may_register.then(|| view! { <RegisterForm register /> })}
    }
}

/// The orders the list can be sorted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    Name,
    Received,
    Failed,
    LastReport,
    Health,
}

impl Sort {
    const ALL: [(Sort, &'static str); 5] = [
        (Sort::Name, "Name"),
        (Sort::Received, "Received"),
        (Sort::Failed, "Failed"),
        (Sort::LastReport, "Last report"),
        (Sort::Health, "Health"),
    ];

    fn parse(raw: &str) -> Self {
        Self::ALL
            .into_iter()
            .map(|(sort, _)| sort)
            .find(|sort| sort.code() == raw)
            .unwrap_or(Sort::Name)
    }

    fn code(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Received => "received",
            Sort::Failed => "failed",
            Sort::LastReport => "last_report",
            Sort::Health => "health",
        }
    }

    /// Busiest, worst and most recent first; names A to Z.
    fn apply(self, tenants: &mut [TenantActivity]) {
        match self {
            Sort::Name => tenants.sort_by_key(|t| t.name.to_lowercase()),
            Sort::Received => tenants.sort_by_key(|t| std::cmp::Reverse(t.day.received)),
            Sort::Failed => tenants.sort_by(|a, b| {
                let rate = |t: &TenantActivity| t.day.failed_percent().unwrap_or(-1.0);
                rate(b).total_cmp(&rate(a))
            }),
            Sort::LastReport => tenants.sort_by(|a, b| {
                let at = |t: &TenantActivity| t.last_report.as_ref().map(|m| m.iso.clone());
                at(b).cmp(&at(a))
            }),
            Sort::Health => tenants.sort_by_key(|t| match t.health {
                Health::Paused { .. } => 0,
                Health::Failing { .. } => 1,
                Health::Backlog { .. } => 2,
                Health::Ok => 3,
            }),
        }
    }
}

#[component]
fn TenantsTable(tenants: Vec<TenantActivity>, search: String, sort: Sort) -> impl IntoView {
    if tenants.is_empty() {
        return view! {
            <p class="empty-note">
                {if signed_in().may(Action::ManageTenants) {
                    "No tenants yet. Register a MoEngage workspace below to get its Sinch callback URL."
                } else {
                    "No tenants to show yet: an admin gives you access to the tenants you work with."
                }}
            </p>
        }
        .into_any();
    }
    let needle = search.trim().to_lowercase();
    let mut shown: Vec<TenantActivity> = tenants
        .into_iter()
        .filter(|t| {
            needle.is_empty()
                || t.name.to_lowercase().contains(&needle)
                || t.app_key.to_lowercase().contains(&needle)
        })
        .collect();
    if shown.is_empty() {
        return view! {
            <p class="empty-note">
                "No tenant's name or workspace id contains “" {search} "”. "
                <A href="/tenants">"Show all tenants"</A>
            </p>
        }
        .into_any();
    }
    sort.apply(&mut shown);
    let sort_links = Sort::ALL
        .into_iter()
        .map(|(option, label)| {
            let href = format!("/tenants?q={}&sort={}", encode(&search), option.code());
            let current = (option == sort).then_some("true");
            view! {
                <a href=href class="sort-link" aria-current=current>
                    {label}
                </a>
            }
        })
        .collect_view();
    let rows = shown
        .into_iter()
        .map(|tenant| view! { <TenantRow tenant /> })
        .collect_view();
    view! {
        <section class="panel">
            <p class="sort-links">"Sort by: " {sort_links}</p>
            <DataTable columns=&[
                "Name",
                "Workspace id",
                "DC",
                "Integration",
                "Last report",
                "Received",
                "Forwarded",
                "Failed",
                "Rejected",
                "Dead letters",
                "Forwarding",
            ]>{rows}</DataTable>
        </section>
    }
    .into_any()
}

#[component]
fn TenantRow(tenant: TenantActivity) -> impl IntoView {
    let href = format!("/tenants/{}", tenant.app_key);
    let day = &tenant.day;
    let failed = match day.failed_percent() {
        Some(p) => format!("{} ({p:.1} %)", day.failed),
        None => day.failed.to_string(),
    };
    let last_report = match tenant.last_report {
        Some(at) => view! {
            <time datetime=at.iso title=at.exact>
                {at.relative}
            </time>
        }
        .into_any(),
        None => view! { <span class="muted">"never"</span> }.into_any(),
    };
    let waiting = (tenant.waiting_calls > 0).then(|| {
        view! {
            <span class="chip chip--warn" title="Sinch is calling, but the integration is disabled">
                {format!("traffic waiting ({})", tenant.waiting_calls)}
            </span>
        }
    });
    view! {
        <tr>
            <td data-label="Name">
                <A href=href>{tenant.name}</A>
            </td>
            <td data-label="Workspace id" class="mono">
                {tenant.app_key}
            </td>
            <td data-label="DC" class="mono">
                {tenant.data_center}
            </td>
            <td data-label="Integration">
                <StateChip on=tenant.enabled on_label="Enabled" off_label="Disabled" />
                " "
                {waiting}
            </td>
            <td data-label="Last report">{last_report}</td>
            <td data-label="Received" class="num">
                {day.received}
            </td>
            <td data-label="Forwarded" class="num">
                {day.forwarded}
            </td>
            <td data-label="Failed" class="num">
                {failed}
            </td>
            <td data-label="Rejected" class="num">
                {day.rejected}
            </td>
            <td data-label="Dead letters" class="num">
                {tenant.dead_letters}
            </td>
            <td data-label="Forwarding">
                <HealthChip health=tenant.health />
            </td>
        </tr>
    }
}

#[component]
pub fn HealthChip(health: Health) -> impl IntoView {
    match health {
        Health::Ok => view! { <span class="chip chip--ok">"OK"</span> }.into_any(),
        Health::Paused { reason } => view! {
            <span class="chip chip--bad" title=reason>
                "Paused: bad credentials"
            </span>
        }
        .into_any(),
        Health::Failing { since } => view! {
            <span
                class="chip chip--bad"
                title=format!("MoEngage is failing for this workspace since {}", since.exact)
            >
                {format!("MoEngage failing ({})", since.relative)}
            </span>
        }
        .into_any(),
        Health::Backlog { events, since } => view! {
            <span class="chip chip--warn" title=format!("oldest waiting since {}", since.exact)>
                {format!("Backlog: {events} ({})", since.relative)}
            </span>
        }
        .into_any(),
    }
}
