use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

/// The top bar's search: a uid, phone number or batch id, looked up on `/search`. A plain
/// GET form (works without the wasm); once hydrated, "/" anywhere but in a field jumps to
/// it, as in most consoles.
#[component]
pub fn TopSearch() -> impl IntoView {
    let location = use_location();
    let query = use_query_map();
    // What was searched, shown again on the results page only (other pages' `q`, such as
    // the tenants list's, is theirs).
    let searched = move || {
        if location.pathname.get() == "/search" {
            query.with(|q| q.get("q").unwrap_or_default())
        } else {
            String::new()
        }
    };
    let field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let handle = window_event_listener(leptos::ev::keydown, move |ev| {
                if ev.key() == "/" && !ev.ctrl_key() && !ev.meta_key() && !ev.alt_key() {
                    if typing_somewhere(&ev) {
                        return;
                    }
                    if let Some(input) = field.get_untracked() {
                        ev.prevent_default();
                        let _ = input.focus();
                        input.select();
                    }
                }
            });
            on_cleanup(move || handle.remove());
        }
    });
    view! {
        <form
            class="top-search"
            method="get"
            action="/search"
            role="search"
            aria-label="Search events"
        >
            <label for="top-search" class="visually-hidden">
                "Search events by uid, phone number or batch id"
            </label>
            <input
                id="top-search"
                node_ref=field
                name="q"
                type="search"
                prop:value=searched
                value=searched
                placeholder="Search uid, phone, batch id  ( / )"
                autocomplete="off"
                spellcheck="false"
            />
        </form>
    }
}

/// Whether the key went to a field (where "/" is just a character).
#[cfg(feature = "hydrate")]
fn typing_somewhere(ev: &leptos::ev::KeyboardEvent) -> bool {
    use leptos::wasm_bindgen::JsCast;
    ev.target()
        .and_then(|target| target.dyn_into::<web_sys::HtmlElement>().ok())
        .is_some_and(|element| {
            element.is_content_editable()
                || matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        })
}
