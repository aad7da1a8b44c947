use leptos::prelude::*;

use crate::api::tenants::TenantDetail;
use crate::components::common::{Confirm, CopyButton};
use crate::components::tenants::TenantActions;

/// Rotating the callback credentials and the HMAC signing secret. Both break the callbacks
/// Sinch makes with the old ones, so each asks first and says so.
#[component]
pub fn Credentials(detail: TenantDetail, actions: TenantActions) -> impl IntoView {
    let TenantActions { rotate, hmac, .. } = actions;
    let app_key = detail.summary.app_key.clone();
    let rotated = move || {
        rotate.value().get().and_then(Result::ok).map(|url| {
            view! {
                <p class="notice" role="status">
                    "New credentials are in force; the old callback URL now answers 401. Paste the new one into Sinch: "
                    <code class="mono secret">{url.clone()}</code>
                    " "
                    <CopyButton text=url label="Copy the new callback URL" />
                </p>
            }
        })
    };
    let secret = move || {
        hmac.value().get().and_then(Result::ok).map(|secret| match secret {
            Some(secret) => view! {
                <p class="notice" role="status">
                    "HMAC signing is on. Give Sinch this secret (through its account manager); it is shown only once: "
                    <code class="mono secret">{secret.clone()}</code>
                    " "
                    <CopyButton text=secret label="Copy the HMAC secret" />
                </p>
            }
            .into_any(),
            None => view! {
                <p class="notice" role="status">
                    "HMAC signing is off: signatures are no longer checked."
                </p>
            }
            .into_any(),
        })
    };
    let (hmac_label, hmac_consequence) = if detail.hmac_signing {
        (
            "Generate a new HMAC secret…",
            "Callbacks signed with the current secret will answer 401 until Sinch signs with the new one.",
        )
    } else {
        (
            "Turn on HMAC signing…",
            "From now on unsigned or badly signed callbacks answer 401: do this only together with Sinch.",
        )
    };
    let hmac_off = detail.hmac_signing.then(|| {
        let app_key = app_key.clone();
        view! {
            <Confirm summary="Turn off HMAC signing…">
                <ActionForm action=hmac attr:class="confirm__body">
                    <input type="hidden" name="app_key" value=app_key />
                    <input type="hidden" name="on" value="false" />
                    <p>"Signatures will no longer be checked; Basic credentials still are."</p>
                    <button type="submit" class="button">
                        "Turn off"
                    </button>
                </ActionForm>
            </Confirm>
        }
    });

    let (rotate_key, hmac_key) = (app_key.clone(), app_key);
    view! {
        <section class="panel" aria-labelledby="credentials-title">
            <h2 class="panel__title" id="credentials-title">
                "Callback credentials"
            </h2>
            <dl class="facts">
                <dt>"HMAC signing"</dt>
                <dd>{if detail.hmac_signing { "on" } else { "off" }}</dd>
            </dl>
            {rotated}
            {secret}
            <div class="actions-row">
                <Confirm summary="Rotate the callback credentials…">
                    <ActionForm action=rotate attr:class="confirm__body">
                        <input type="hidden" name="app_key" value=rotate_key />
                        <p>
                            "The current callback URL stops working at once (401): Sinch's reports fail until the new URL is pasted into the Sinch dashboard."
                        </p>
                        <button type="submit" class="button">
                            "Rotate"
                        </button>
                    </ActionForm>
                </Confirm>
                <Confirm summary=hmac_label>
                    <ActionForm action=hmac attr:class="confirm__body">
                        <input type="hidden" name="app_key" value=hmac_key />
                        <input type="hidden" name="on" value="true" />
                        <p>{hmac_consequence}</p>
                        <button type="submit" class="button">
                            "Generate"
                        </button>
                    </ActionForm>
                </Confirm>
                {hmac_off}
            </div>
        </section>
    }
}
