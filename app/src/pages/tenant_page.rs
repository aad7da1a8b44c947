use domain::access::Action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::tenants::{get_tenant, SetIntegration, TenantDetail};
use crate::components::common::{CopyButton, ErrorPanel, StateChip};
use crate::signed_in::signed_in;

/// One tenant: its integration state (enable and disable, for support and admins), and
/// the callback URL to paste into Sinch. A tenant outside the user's scope is a 404.
#[component]
pub fn TenantPage() -> impl IntoView {
    let params = use_params_map();
    let app_key = move || params.with(|p| p.get("app_key").unwrap_or_default());
    let toggle = ServerAction::<SetIntegration>::new();
    // Blocking, so that the server function's 404 (unknown, or outside the user's scope)
    // becomes the page's status before the first byte is sent.
    let detail = Resource::new_blocking(
        move || (app_key(), toggle.version().get()),
        |(app_key, _)| get_tenant(app_key),
    );

    view! {
        <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors what="this tenant" /> }>
            <Transition fallback=|| {
                view! { <p class="skeleton-block" aria-busy="true"></p> }
            }>
                {move || Suspend::new(async move {
                    detail.await.map(|detail| view! { <TenantView detail toggle /> })
                })}
            </Transition>
        </ErrorBoundary>
    }
}

#[component]
fn TenantView(detail: TenantDetail, toggle: ServerAction<SetIntegration>) -> impl IntoView {
    let tenant = detail.summary;
    let may_manage = signed_in().may(Action::ManageTenants);
    let state = view! { <StateChip on=tenant.enabled on_label="Enabled" off_label="Disabled" /> };
    let (label, consequence, enable) = if tenant.enabled {
        (
            "Disable the integration…",
            "Sinch's callbacks for this workspace will answer 403 from now on; nothing is stored or forwarded until it is enabled again.",
            "false",
        )
    } else {
        (
            "Enable the integration",
            "Sinch's callbacks for this workspace are accepted from now on.",
            "true",
        )
    };
    let toggle_form = may_manage.then(|| {
        let app_key = tenant.app_key.clone();
        view! {
            <details class="confirm">
                <summary class="button--quiet">{label}</summary>
                <ActionForm action=toggle attr:class="confirm__body">
                    <input type="hidden" name="app_key" value=app_key />
                    <input type="hidden" name="enabled" value=enable />
                    <p>{consequence}</p>
                    <button type="submit" class="button">
                        "Confirm"
                    </button>
                </ActionForm>
            </details>
        }
    });
    let callback = detail.callback_url.map(|url| {
        view! {
            <section class="panel" aria-labelledby="callback-title">
                <h2 class="panel__title" id="callback-title">
                    "Callback URL"
                </h2>
                <p class="panel__lede">
                    "In the Sinch dashboard: SMS → APIs → your service plan → Callback URL. It carries this workspace's credentials: share it only with the customer."
                </p>
                <p class="callback">
                    <code class="mono secret">{url.clone()}</code>
                    " "
                    <CopyButton text=url label="Copy the callback URL" />
                </p>
            </section>
        }
    });

    view! {
        <Title text=tenant.name.clone() />
        <header class="page-header">
            <h1>{tenant.name.clone()}</h1>
            <p class="page-header__lede">
                <span class="mono">{tenant.app_key.clone()}</span>
                " · "
                {tenant.data_center.clone()}
                " · "
                {state}
            </p>
        </header>
        <section class="panel" aria-labelledby="integration-title">
            <h2 class="panel__title" id="integration-title">
                "Sinch integration"
            </h2>
            <dl class="facts">
                <dt>"Last changed"</dt>
                <dd>{detail.integration_changed.unwrap_or_else(|| "never".to_owned())}</dd>
                <dt>"Data API key"</dt>
                <dd class="mono">{format!("…{}", detail.data_api_key_last4)}</dd>
                <dt>"HMAC signing"</dt>
                <dd>{if detail.hmac_signing { "on" } else { "off" }}</dd>
            </dl>
            {toggle_form}
        </section>
        {callback}
    }
}
