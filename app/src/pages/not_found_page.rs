use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// Shown for any path the console does not know. During SSR it also sets the HTTP status,
/// so crawlers, scripts and `curl -f` see a real 404.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }

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
