use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::common::ErrorPanel;

/// Shown when a page fails as a whole (an error no inner boundary caught). During SSR it
/// sets the HTTP status to 500 so monitoring sees the failure.
#[component]
pub fn ErrorPage(errors: ArcRwSignal<Errors>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::INTERNAL_SERVER_ERROR);
    }

    view! {
        <Title text="Something went wrong" />
        <section class="empty-state" aria-labelledby="error-title">
            <h1 id="error-title">"Something went wrong"</h1>
            <ErrorPanel errors what="this page" />
            <A href="/" attr:class="button">
                "Back to the overview"
            </A>
        </section>
    }
}
