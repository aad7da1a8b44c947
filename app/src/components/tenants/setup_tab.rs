use domain::access::Action;
use leptos::prelude::*;

use crate::api::tenants::TenantDetail;
use crate::components::common::CopyButton;
use crate::components::tenants::{Credentials, EventsResource, SelfCheck, TenantActions};
use crate::signed_in::signed_in;

/// What a customer needs to send reports here: the callback URL, where it goes in Sinch,
/// how to tag each batch, and a self-check of the whole path.
#[component]
pub fn SetupTab(
    detail: TenantDetail,
    actions: TenantActions,
    events: EventsResource,
) -> impl IntoView {
    let may_manage = signed_in().may(Action::ManageTenants);
    let app_key = detail.summary.app_key.clone();
    let callback = match detail.callback_url.clone() {
        Some(url) => view! {
            <p class="callback">
                <code class="callback__url mono secret">{url.clone()}</code>
                <CopyButton text=url label="Copy the callback URL" />
            </p>
            <p class="panel__lede">
                "It carries this workspace's credentials: share it only with the customer."
            </p>
        }
        .into_any(),
        None => view! {
            <p class="panel__lede">
                "The callback URL carries credentials; support and admins can hand it out."
            </p>
        }
        .into_any(),
    };
    let example = example_request();

    view! {
        <section class="panel" aria-labelledby="callback-title" id="setup">
            <h2 class="panel__title" id="callback-title">
                "Callback URL"
            </h2>
            {callback}
            <h3>"In the Sinch dashboard"</h3>
            <ol class="steps">
                <li>"Open " <strong>"SMS"</strong> " → " <strong>"APIs"</strong> "."</li>
                <li>"Choose the " <strong>"service plan"</strong> " the customer sends with."</li>
                <li>
                    "Under " <strong>"Callback URL"</strong>
                    ", paste the URL above and save. Reports of batches sent from now on come here."
                </li>
                <li>
                    "Send batches with a " <code>"delivery_report"</code> " other than "
                    <code>"none"</code> " (for example " <code>"per_recipient"</code> ") and a "
                    <code>"client_reference"</code> " as below."
                </li>
            </ol>
        </section>
        <section class="panel" aria-labelledby="reference-title">
            <h2 class="panel__title" id="reference-title">
                "Tagging each batch: client_reference"
            </h2>
            <p>
                <code class="mono">"$uid=<MoEngage customer_id>$cat=<category>"</code>
                " — "
                <code>"uid"</code>
                " is required (reports without it are rejected, never forwarded); "
                <code>"cat"</code>
                " is optional (for example "
                <code>"otp"</code>
                " or "
                <code>"payment_update"</code>
                ") and shows in the delivery rate per category."
            </p>
            <pre class="code-block mono">{example.clone()}</pre>
            <CopyButton text=example label="Copy the example request" />
        </section>
        {may_manage
            .then(|| {
                view! {
                    <SelfCheck
                        app_key=app_key.clone()
                        enabled=detail.summary.enabled
                        send=actions.send_report
                        events
                    />
                    <Credentials detail=detail.clone() actions />
                }
            })}
    }
}

/// A batch as the customer sends it through Sinch's REST API, tagged for dlrhub.
fn example_request() -> String {
    r#"curl -X POST "https://us.sms.api.sinch.com/xms/v1/$SERVICE_PLAN_ID/batches" \
  -H "Authorization: Bearer $SINCH_API_TOKEN" \
  -H "Content-Type: application/json" \
  -d '{
    "from": "YourBrand",
    "to": ["+447700900123"],
    "body": "Your code is 123456",
    "delivery_report": "per_recipient",
    "client_reference": "$uid=123456789759339206$cat=otp"
  }'"#
    .to_owned()
}
