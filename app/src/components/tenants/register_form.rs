use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::forms::form_errors;
use crate::api::self_checks::TestNewCredentials;
use crate::api::tenants::RegisterTenant;
use crate::components::common::FieldError;
use crate::components::tenants::ProbeAnswer;

/// Registers a MoEngage workspace. "Test credentials" tries the typed id, data center and
/// key against MoEngage first, without registering anything.
#[component]
pub fn RegisterForm(register: ServerAction<RegisterTenant>) -> impl IntoView {
    let test = ServerAction::<TestNewCredentials>::new();
    // Field errors of the last of the two asked: each clears the other's answer.
    let errors = Signal::derive(move || {
        form_errors(register.value().get()).or_else(|| form_errors(test.value().get()))
    });
    Effect::new(move |_| {
        if register.input().with(Option::is_some) {
            test.clear();
        }
    });
    let registered = move || match register.value().get() {
        Some(Ok(app_key)) => Some(view! {
            <p class="notice" role="status">
                "Registered. The integration stays disabled until you enable it on "
                <A href=format!("/tenants/{app_key}")>"its page"</A>
                "."
            </p>
        }),
        _ => None,
    };
    let tested = Signal::derive(move || match test.value().get() {
        Some(Ok(result)) => Some(result),
        _ => None,
    });
    let (app_key, data_center, data_api_key) = (
        NodeRef::<html::Input>::new(),
        NodeRef::<html::Select>::new(),
        NodeRef::<html::Input>::new(),
    );
    let try_credentials = move |_| {
        let (Some(app_key), Some(data_center), Some(data_api_key)) =
            (app_key.get(), data_center.get(), data_api_key.get())
        else {
            return;
        };
        register.clear();
        test.dispatch(TestNewCredentials {
            app_key: app_key.value(),
            data_center: data_center.value(),
            data_api_key: data_api_key.value(),
        });
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
                    <input
                        id="app_key"
                        name="app_key"
                        node_ref=app_key
                        required
                        autocomplete="off"
                        aria-describedby="app_key-error"
                    />
                    <FieldError errors field="app_key" />
                </div>
                <div class="field">
                    <label for="name">"Name"</label>
                    <input id="name" name="name" required aria-describedby="name-error" />
                    <FieldError errors field="name" />
                </div>
                <div class="field">
                    <label for="data_center">"Data center"</label>
                    <select id="data_center" name="data_center" node_ref=data_center>
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
                        node_ref=data_api_key
                        type="password"
                        autocomplete="off"
                        required
                        aria-describedby="data_api_key-error"
                    />
                    <FieldError errors field="data_api_key" />
                </div>
                <div class="form__actions">
                    <button
                        type="button"
                        class="button--quiet"
                        on:click=try_credentials
                        disabled=move || test.pending().get()
                    >
                        {move || {
                            if test.pending().get() { "Testing…" } else { "Test credentials" }
                        }}
                    </button>
                    <button type="submit" class="button" disabled=move || register.pending().get()>
                        {move || {
                            if register.pending().get() { "Registering…" } else { "Register" }
                        }}
                    </button>
                </div>
                <FieldError errors field="form" />
            </ActionForm>
            <ProbeAnswer result=tested />
        </section>
    }
}
