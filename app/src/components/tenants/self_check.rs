use leptos::prelude::*;

use crate::api::self_checks::SendTestReport;
use crate::components::tenants::{EventsResource, EventsTable, ProbeAnswer};

/// "Send test report": a synthetic delivery report through the real callback URL, and the
/// tenant's latest events below so that its event can be seen arriving.
#[component]
pub fn SelfCheck(
    app_key: String,
    enabled: bool,
    send: ServerAction<SendTestReport>,
    events: EventsResource,
) -> impl IntoView {
    let result = Signal::derive(move || match send.value().get() {
        Some(Ok(result)) => Some(result),
        _ => None,
    });
    let highlight = Signal::derive(move || result.get().and_then(|r| r.batch_id));
    let hint = (!enabled).then(|| {
        view! {
            <p class="panel__lede">
                "The integration is disabled, so the callback will answer 403: enable it in Settings first."
            </p>
        }
    });

    view! {
        <section class="panel" aria-labelledby="selfcheck-title">
            <h2 class="panel__title" id="selfcheck-title">
                "Self-check"
            </h2>
            <p class="panel__lede">
                "Posts a Delivered report for the user " <code>"dlrhub-self-check"</code>
                " to the callback URL, as Sinch would. It is stored and forwarded to MoEngage like any other."
            </p>
            {hint}
            <ActionForm action=send>
                <input type="hidden" name="app_key" value=app_key />
                <button type="submit" class="button" disabled=move || send.pending().get()>
                    {move || if send.pending().get() { "Sending…" } else { "Send test report" }}
                </button>
            </ActionForm>
            <ProbeAnswer result />
            <h3>"Latest events"</h3>
            <EventsTable events highlight />
        </section>
    }
}
