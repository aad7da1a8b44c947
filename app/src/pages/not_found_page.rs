use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::http_status::set_http_status;

/// Shown for any path the console does not know. During SSR it also sets the HTTP status,
/// so crawlers, scripts and `curl -f` see a real 404.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_http_status(404);

    view! {
        <Title text="Page not found" />
        <section class="empty-state" aria-labelledby="not-found-title">
            <p class="empty-state__code">"404"</p>
            <h1 id="not-found-title">"Page not found"</h1>
            <p>
                "This address does not match any page of the console. It may have moved, or the link was mistyped."
            </p>
            <A href="/" attr:class="button">
                "Back to the overview"
            </A>
        </section>
    }
}
