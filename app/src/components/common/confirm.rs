use leptos::html;
use leptos::prelude::*;

/// A consequential action behind a disclosure: the summary names it, the body says what
/// will happen and holds the form that does it. Nothing happens until the body's button
/// is pressed. Escape closes it and gives the focus back to the summary, so a keyboard
/// user who changes their mind is never left on a control that is no longer shown.
#[component]
pub fn Confirm(#[prop(into)] summary: String, children: Children) -> impl IntoView {
    let details = NodeRef::<html::Details>::new();
    let opener = NodeRef::<html::Summary>::new();
    let on_keydown = move |event: web_sys::KeyboardEvent| {
        if event.key() != "Escape" {
            return;
        }
        let Some(details) = details.get() else {
            return;
        };
        if details.has_attribute("open") {
            event.prevent_default();
            let _ = details.remove_attribute("open");
            if let Some(opener) = opener.get() {
                let _ = opener.focus();
            }
        }
    };
    view! {
        <details class="confirm" node_ref=details on:keydown=on_keydown>
            <summary class="button--quiet" node_ref=opener>
                {summary}
            </summary>
            {children()}
        </details>
    }
}
