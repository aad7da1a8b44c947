use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::rejected::{rejected_reports, ReasonView, TenantRejections, DAYS};
use crate::components::charts::DailyBars;
use crate::components::common::{CopyButton, DataTable, LoadError};

/// "uid hygiene": what each tenant's Sinch traffic got wrong over the last days, with the
/// values at fault and a note to send the customer.
#[component]
pub fn RejectedPage() -> impl IntoView {
    let reports = Resource::new_blocking(|| (), |_| rejected_reports());
    view! {
        <Title text="Rejected reports" />
        <header class="page-header">
            <h1>"Rejected reports"</h1>
            <p class="page-header__lede">
                {format!(
                    "Delivery reports dlrhub stored but could not forward over the last {DAYS} days (UTC), by tenant and reason: what the customer's Sinch requests get wrong, and how to fix it.",
                )}
            </p>
        </header>
        <Suspense fallback=|| {
            view! { <p class="skeleton-block" aria-busy="true"></p> }
        }>
            {move || Suspend::new(async move {
                match reports.await {
                    Ok(tenants) if tenants.is_empty() => {
                        view! {
                            <section class="panel">
                                <p class="empty-note">
                                    {format!(
                                        "Nothing rejected in the last {DAYS} days: every report carried a usable uid in its client_reference.",
                                    )}
                                </p>
                            </section>
                        }
                            .into_any()
                    }
                    Ok(tenants) => {
                        tenants
                            .into_iter()
                            .map(|tenant| view! { <Tenant tenant /> })
                            .collect_view()
                            .into_any()
                    }
                    Err(error) => {
                        view! { <LoadError error what="the rejected reports" /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Tenant(tenant: TenantRejections) -> impl IntoView {
    let TenantRejections {
        app_key,
        name,
        reasons,
    } = tenant;
    let reasons = reasons
        .into_iter()
        .map(|reason| view! { <Reason reason /> })
        .collect_view();
    view! {
        <section class="panel" aria-label=format!("Rejected reports of {name}")>
            <h2 class="panel__title">
                <a href=format!(
                    "/tenants/{app_key}?tab=activity",
                )>{format!("{name} ({app_key})")}</a>
            </h2>
            {reasons}
        </section>
    }
}

#[component]
fn Reason(reason: ReasonView) -> impl IntoView {
    let ReasonView {
        code,
        label,
        total,
        days,
        samples,
        advice,
    } = reason;
    let columns: &'static [&'static str] = if code == "malformed" {
        &["Body (start)", "What is wrong", "Times", "Last"]
    } else {
        &["client_reference", "What is wrong", "Times", "Last"]
    };
    let rows = samples
        .into_iter()
        .map(|sample| {
            let value = sample.value.unwrap_or_else(|| "(none)".to_owned());
            view! {
                <tr>
                    <td data-label=columns[0] class="mono cell--long">
                        {value}
                    </td>
                    <td data-label="What is wrong">{sample.detail}</td>
                    <td data-label="Times" class="num">
                        {sample.count}
                    </td>
                    <td data-label="Last">
                        <time datetime=sample.last.iso title=sample.last.exact>
                            {sample.last.relative}
                        </time>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let advice_id = format!("advice-{code}");
    view! {
        <article class="rejection" data-reason=code>
            <h3>
                <span class="chip chip--rejected">{label.clone()}</span>
                " "
                <span class="num">{total}</span>
                {format!(" in {DAYS} days")}
            </h3>
            <DailyBars days class="rejected" label=format!("{label} per day") />
            <DataTable columns>{rows}</DataTable>
            <details class="advice">
                <summary>"What to tell the customer"</summary>
                <pre class="code-block" id=advice_id>
                    {advice.clone()}
                </pre>
                <CopyButton text=advice label="Copy the note for the customer" />
            </details>
        </article>
    }
}
