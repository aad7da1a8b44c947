use domain::access::Action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::tenants::{list_tenants, RegisterTenant, TenantSummary};
use crate::components::common::{DataTable, ErrorPanel, FieldError, StateChip};
use crate::signed_in::signed_in;

/// The tenants the user may see (a viewer: the ones assigned to them), and for support and
/// admins the form that registers one.
#[component]
pub fn TenantsPage() -> impl IntoView {
    let register = ServerAction::<RegisterTenant>::new();
    let tenants = Resource::new(move || register.version().get(), |_| list_tenants());
    let may_register = signed_in().may(Action::ManageTenants);

    view! {
        <Title text="Tenants" />
        <header class="page-header">
            <h1>"Tenants"</h1>
            <p class="page-header__lede">
                "MoEngage workspaces whose Sinch delivery reports dlrhub receives and forwards."
            </p>
        </header>
        {may_register.then(|| view! { <RegisterForm register /> })}
        <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors what="the tenants" /> }>
            <Transition fallback=|| {
                view! { <p class="skeleton-block" aria-busy="true"></p> }
            }>
                {move || Suspend::new(async move {
                    tenants.await.map(|tenants| view! { <TenantsTable tenants /> })
                })}
            </Transition>
        </ErrorBoundary>
    }
}

#[component]
fn TenantsTable(tenants: Vec<TenantSummary>) -> impl IntoView {
    if tenants.is_empty() {
        return view! {
            <p class="empty-note">
                "No tenants yet. Register a MoEngage workspace to get its Sinch callback URL."
            </p>
        }
        .into_any();
    }
    let rows = tenants
        .into_iter()
        .map(|tenant| {
            let href = format!("/tenants/{}", tenant.app_key);
            view! {
                <tr>
                    <td>
                        <A href=href>{tenant.name}</A>
                    </td>
                    <td class="mono">{tenant.app_key}</td>
                    <td class="mono">{tenant.data_center}</td>
                    <td>
                        <StateChip on=tenant.enabled on_label="Enabled" off_label="Disabled" />
                    </td>
                    <td>
                        <time datetime=tenant.created_at.clone() title=tenant.created_at>
                            {tenant.created_text}
                        </time>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel">
            <DataTable columns=&[
                "Name",
                "Workspace id",
                "Data center",
                "Integration",
                "Registered",
            ]>{rows}</DataTable>
        </section>
    }
    .into_any()
}

#[component]
fn RegisterForm(register: ServerAction<RegisterTenant>) -> impl IntoView {
    let errors = Signal::derive(move || match register.value().get() {
        Some(Ok(Err(errors))) => Some(errors),
        _ => None,
    });
    let registered = move || match register.value().get() {
        Some(Ok(Ok(app_key))) => Some(view! {
            <p class="notice" role="status">
                "Registered. The integration stays disabled until you enable it on "
                <A href=format!("/tenants/{app_key}")>"its page"</A>
                "."
            </p>
        }),
        _ => None,
    };

    view! {
        <section class="panel" aria-labelledby="register-title">
            <h2 class="panel__title" id="register-title">
                "Register a tenant"
            </h2>
            {registered}
            <ActionForm action=register attr:class="form form--inline">
                <div class="field">
                    <label for="app_key">"Workspace id"</label>
                    <input id="app_key" name="app_key" required aria-describedby="app_key-error" />
                    <FieldError errors field="app_key" />
                </div>
                <div class="field">
                    <label for="name">"Name"</label>
                    <input id="name" name="name" required aria-describedby="name-error" />
                    <FieldError errors field="name" />
                </div>
                <div class="field">
                    <label for="data_center">"Data center"</label>
                    <select id="data_center" name="data_center">
                        {(1..=6)
                            .map(|n| {
                                let (value, label) = (format!("DC-0{n}"), format!("DC-0{n}"));
                                view! { <option value=value>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                    <FieldError errors field="data_center" />
                </div>
                <div class="field">
                    <label for="data_api_key">"Data API key"</label>
                    <input
                        id="data_api_key"
                        name="data_api_key"
                        type="password"
                        autocomplete="off"
                        required
                        aria-describedby="data_api_key-error"
                    />
                    <FieldError errors field="data_api_key" />
                </div>
                <button type="submit" class="button" disabled=move || register.pending().get()>
                    {move || if register.pending().get() { "Registering…" } else { "Register" }}
                </button>
            </ActionForm>
        </section>
    }
}
