use domain::access::Action;
use leptos::prelude::*;

use crate::api::forms::form_errors;
use crate::api::tenant_settings::DeleteTenant;
use crate::api::tenants::{SetIntegration, TenantDetail};
use crate::components::common::{Confirm, FieldError, PasswordField};
use crate::components::tenants::{ForwardingPanel, ProbeAnswer, TenantActions};
use crate::signed_in::signed_in;

/// The integration switch, MoEngage credentials, forwarding options and deletion.
#[component]
pub fn SettingsTab(detail: TenantDetail, actions: TenantActions) -> impl IntoView {
    let may_manage = signed_in().may(Action::ManageTenants);
    let app_key = detail.summary.app_key.clone();
    let forwarding = detail.forwarding.clone();
    let paused = forwarding.paused.clone().map(|reason| {
        view! {
            <p class="notice notice--error" role="status">
                "Forwarding is paused: "
                {reason}
                ". Replace the Data API key below; forwarding resumes at once."
            </p>
        }
    });
    view! {
        <section class="panel" aria-labelledby="integration-title" id="integration">
            <h2 class="panel__title" id="integration-title">
                "Sinch integration"
            </h2>
            <dl class="facts">
                <dt>"State"</dt>
                <dd>{if detail.summary.enabled { "enabled" } else { "disabled" }}</dd>
                <dt>"Last changed"</dt>
                <dd>{detail.integration_changed.clone().unwrap_or_else(|| "never".to_owned())}</dd>
            </dl>
            {may_manage
                .then(|| {
                    view! {
                        <IntegrationToggle
                            app_key=app_key.clone()
                            enabled=detail.summary.enabled
                            toggle=actions.toggle
                        />
                    }
                })}
        </section>
        <section class="panel" aria-labelledby="moengage-title" id="settings">
            <h2 class="panel__title" id="moengage-title">
                "MoEngage"
            </h2>
            {paused}
            <dl class="facts">
                <dt>"Data center"</dt>
                <dd>{detail.summary.data_center.clone()}</dd>
                <dt>"Data API key"</dt>
                <dd class="mono">{format!("…{}", detail.data_api_key_last4)}</dd>
            </dl>
            {may_manage.then(|| view! { <ApiKeyForms app_key=app_key.clone() actions /> })}
        </section>
        <ForwardingPanel app_key=app_key.clone() forwarding may_manage save=actions.forwarding />
        {may_manage
            .then(|| view! { <DeleteTenantForm app_key=app_key.clone() delete=actions.delete /> })}
    }
}

#[component]
fn IntegrationToggle(
    app_key: String,
    enabled: bool,
    toggle: ServerAction<SetIntegration>,
) -> impl IntoView {
    let (label, consequence, enable) = if enabled {
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
    view! {
        <Confirm summary=label>
            <ActionForm action=toggle attr:class="confirm__body">
                <input type="hidden" name="app_key" value=app_key />
                <input type="hidden" name="enabled" value=enable />
                <p>{consequence}</p>
                <button type="submit" class="button">
                    "Confirm"
                </button>
            </ActionForm>
        </Confirm>
    }
}

#[component]
fn ApiKeyForms(app_key: String, actions: TenantActions) -> impl IntoView {
    let (replace, test) = (actions.replace_key, actions.test_key);
    let errors = Signal::derive(move || form_errors(replace.value().get()));
    let tested = Signal::derive(move || match test.value().get() {
        Some(Ok(result)) => Some(result),
        _ => None,
    });
    let test_key = app_key.clone();
    view! {
        <div class="actions-row">
            <ActionForm action=test>
                <input type="hidden" name="app_key" value=test_key />
                <button type="submit" class="button--quiet" disabled=move || test.pending().get()>
                    {move || if test.pending().get() { "Testing…" } else { "Test credentials" }}
                </button>
            </ActionForm>
            <Confirm summary="Replace the Data API key…">
                <ActionForm action=replace attr:class="confirm__body form">
                    <input type="hidden" name="app_key" value=app_key />
                    <PasswordField
                        field="data_api_key"
                        label="New Data API key"
                        autocomplete="off"
                        errors
                    />
                    <p>
                        "Events are sent with the new key from now on; a paused forwarding resumes."
                    </p>
                    <button type="submit" class="button">
                        "Replace"
                    </button>
                    <FieldError errors field="form" />
                </ActionForm>
            </Confirm>
        </div>
        <ProbeAnswer result=tested />
    }
}

#[component]
fn DeleteTenantForm(app_key: String, delete: ServerAction<DeleteTenant>) -> impl IntoView {
    let errors = Signal::derive(move || form_errors(delete.value().get()));
    view! {
        <section class="panel panel--danger" aria-labelledby="delete-title">
            <h2 class="panel__title" id="delete-title">
                "Delete the tenant"
            </h2>
            <Confirm summary="Delete this tenant…">
                <ActionForm action=delete attr:class="confirm__body form">
                    <input type="hidden" name="app_key" value=app_key.clone() />
                    <p>
                        "The tenant disappears from the console, Sinch's callbacks answer 404 and waiting events are no longer forwarded. Its stored reports stay until retention removes them."
                    </p>
                    <div class="field">
                        <label for="confirmation">
                            "Type " <code class="mono">{app_key.clone()}</code> " to confirm"
                        </label>
                        <input
                            id="confirmation"
                            name="confirmation"
                            autocomplete="off"
                            required
                            aria-describedby="confirmation-error"
                        />
                        <FieldError errors field="confirmation" />
                    </div>
                    <button type="submit" class="button button--danger">
                        "Delete"
                    </button>
                    <FieldError errors field="form" />
                </ActionForm>
            </Confirm>
        </section>
    }
}
