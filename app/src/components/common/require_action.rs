use domain::access::Action;
use leptos::prelude::*;

use crate::pages::NotFoundPage;
use crate::signed_in::signed_in;

/// Renders its children only for a user whose role allows `action`; anyone else gets the
/// "page not found" page (with its 404 status), as if the page did not exist. The server
/// functions behind the page refuse them too: this only keeps the page honest.
#[component]
pub fn RequireAction(action: Action, children: Children) -> impl IntoView {
    if signed_in().may(action) {
        children().into_any()
    } else {
        view! { <NotFoundPage /> }.into_any()
    }
}
