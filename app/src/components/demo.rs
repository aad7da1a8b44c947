//! "Try it with simulated traffic" on the empty overview, and the demo workspace's mark on
//! its own page.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::demo::{RemoveDemo, StartDemo};

/// Offered on the empty overview to admins where forwarding goes to the MoEngage
/// simulator (the overview says so): a demo workspace and a minute of simulated Sinch
/// traffic, then its page.
#[component]
pub fn TryTheDemo() -> impl IntoView {
    let start = ServerAction::<StartDemo>::new();
    Effect::new(move |_| {
        if let Some(Ok(app_key)) = start.value().get() {
            use_navigate()(&format!("/tenants/{app_key}"), Default::default());
        }
    });
    let refused = move || {
        let reason = match start.value().get()? {
            Ok(_) => return None,
            Err(error) => error.to_string(),
        };
        Some(view! {
            <p class="notice notice--error" role="alert">
                {format!("The demo did not start: {reason}")}
            </p>
        })
    };
    view! {
        <div class="demo-offer">
            <p>
                "Or see it working first: a demo workspace gets a minute of simulated Sinch traffic (reports for made-up customers, a few without a uid, a malformed call, one event MoEngage refuses), forwarded to the MoEngage simulator."
            </p>
            <ActionForm action=start>
                <button type="submit" class="button" disabled=move || start.pending().get()>
                    {move || {
                        if start.pending().get() {
                            "Starting the demo…"
                        } else {
                            "Try it with simulated traffic"
                        }
                    }}
                </button>
            </ActionForm>
            {refused}
        </div>
    }
}

/// A demo workspace's banner on its page: what it is, and one click to remove it.
#[component]
pub fn DemoBanner(app_key: String) -> impl IntoView {
    let remove = ServerAction::<RemoveDemo>::new();
    let refused = move || {
        let reason = match remove.value().get()? {
            Ok(()) => return None,
            Err(error) => error.to_string(),
        };
        Some(view! {
            <p class="notice notice--error" role="alert">
                {format!("The demo workspace was not removed: {reason}")}
            </p>
        })
    };
    view! {
        <div class="notice notice--demo" role="note">
            <p>
                <strong>"Demo workspace. "</strong>
                "Its reports are simulated Sinch traffic and its events go to the MoEngage simulator, never to a real workspace."
            </p>
            <ActionForm action=remove>
                <input type="hidden" name="app_key" value=app_key />
                <button type="submit" class="button--quiet" disabled=move || remove.pending().get()>
                    "Remove the demo workspace"
                </button>
            </ActionForm>
            {refused}
        </div>
    }
}
