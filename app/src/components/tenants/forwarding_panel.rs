use domain::forwarding_limits::{MAX_BULK_RATE_PER_S, MAX_CONCURRENCY};
use leptos::prelude::*;

use crate::api::forms::form_errors;
use crate::api::tenant_settings::SetForwarding;
use crate::api::tenants::ForwardingFacts;
use crate::components::common::{FieldError, NumberField};

/// How the tenant's events are sent to MoEngage: read-only for viewers, a form for
/// support and admins.
#[component]
pub fn ForwardingPanel(
    app_key: String,
    forwarding: ForwardingFacts,
    may_manage: bool,
    save: ServerAction<SetForwarding>,
) -> impl IntoView {
    let mode = if forwarding.bulk {
        "bulk (/v1/transition)"
    } else {
        "one request per event (/v1/event)"
    };
    let phones = if forwarding.full_recipient {
        "sent in full"
    } else {
        "only the last digits are sent"
    };
    let body = if may_manage {
        view! { <ForwardingForm app_key forwarding save /> }.into_any()
    } else {
        view! {
            <dl class="facts">
                <dt>"Rate"</dt>
                <dd>{format!("{} events/s", forwarding.rate_per_s)}</dd>
                <dt>"In flight"</dt>
                <dd>{format!("{} requests", forwarding.concurrency)}</dd>
                <dt>"Mode"</dt>
                <dd>{mode}</dd>
                <dt>"Phone numbers"</dt>
                <dd>{phones}</dd>
            </dl>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="forwarding-title">
            <h2 class="panel__title" id="forwarding-title">
                "Forwarding"
            </h2>
            {body}
        </section>
    }
}

#[component]
fn ForwardingForm(
    app_key: String,
    forwarding: ForwardingFacts,
    save: ServerAction<SetForwarding>,
) -> impl IntoView {
    let errors = Signal::derive(move || form_errors(save.value().get()));
    let saved = move || {
        matches!(save.value().get(), Some(Ok(()))).then(|| {
            view! {
                <p class="notice" role="status">
                    "Saved: the workers use it from their next batch."
                </p>
            }
        })
    };
    view! {
        {saved}
        <ActionForm action=save attr:class="form form--inline">
            <input type="hidden" name="app_key" value=app_key />
            <NumberField
                field="rate_per_s"
                label="Events per second (up to 500, or 1,000 in bulk mode)"
                value=forwarding.rate_per_s
                max=MAX_BULK_RATE_PER_S
                errors
            />
            <NumberField
                field="concurrency"
                label="Requests in flight"
                value=forwarding.concurrency
                max=MAX_CONCURRENCY
                errors
            />
            <label class="check">
                <input type="checkbox" name="bulk" checked=forwarding.bulk />
                " Bulk mode (/v1/transition): fewer requests, but MoEngage answers 200 whatever it does with each event, so refusals go unseen"
            </label>
            <label class="check">
                <input type="checkbox" name="full_recipient" checked=forwarding.full_recipient />
                " Send the full phone number (otherwise only its last digits)"
            </label>
            <button type="submit" class="button" disabled=move || save.pending().get()>
                {move || if save.pending().get() { "Saving…" } else { "Save" }}
            </button>
            <FieldError errors field="form" />
        </ActionForm>
    }
}
