use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::common::ErrorPanel;
use crate::http_status::set_http_status;

/// Shown when a page fails as a whole (an error no inner boundary caught). During SSR it
/// sets the HTTP status to 500 so monitoring sees the failure.
#[component]
pub fn ErrorPage(errors: ArcRwSignal<Errors>) -> impl IntoView {
    set_http_status(500);

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
