use leptos::prelude::*;

/// An on/off state in its fixed colours: green when on, a grey outline when off.
#[component]
pub fn StateChip(on: bool, on_label: &'static str, off_label: &'static str) -> impl IntoView {
    if on {
        view! { <span class="chip chip--ok">{on_label}</span> }
    } else {
        view! { <span class="chip chip--outline">{off_label}</span> }
    }
}
