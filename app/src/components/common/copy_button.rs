use leptos::prelude::*;

/// Copies `text` to the clipboard and says "Copied" for a moment. Beside every id, URL or
/// password someone will paste elsewhere.
#[component]
pub fn CopyButton(#[prop(into)] text: String, #[prop(into)] label: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&text);
                copied.set(true);
                set_timeout(
                    move || copied.set(false),
                    std::time::Duration::from_millis(1500),
                );
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };

    view! {
        <button type="button" class="button--quiet copy-button" on:click=copy aria-label=label>
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
        <span class="visually-hidden" role="status">
            {move || if copied.get() { "Copied to the clipboard" } else { "" }}
        </span>
    }
}
