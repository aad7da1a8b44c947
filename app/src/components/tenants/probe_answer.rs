use leptos::prelude::*;

use crate::api::probes::ProbeResult;

/// The answer of a "Test credentials" or "Send test report" button, announced to screen
/// readers as it arrives (a live region, present before the answer so that it is heard).
#[component]
pub fn ProbeAnswer(#[prop(into)] result: Signal<Option<ProbeResult>>) -> impl IntoView {
    view! {
        <div aria-live="polite" class="probe-answer">
            {move || {
                result
                    .get()
                    .map(|result| {
                        let class = if result.ok { "notice" } else { "notice notice--error" };
                        view! { <p class=class>{result.message}</p> }
                    })
            }}
        </div>
    }
}
