use leptos::prelude::*;

use crate::api::error::ApiError;
use crate::http_status::set_http_status;

/// The fallback of an `ErrorBoundary`: says what failed and what the reader can do.
#[component]
pub fn ErrorPanel(errors: ArcRwSignal<Errors>, #[prop(into)] what: String) -> impl IntoView {
    // The page answers with the status of what failed (a 404 for a tenant outside the
    // user's scope), as the server function itself would.
    if let Some(status) = errors.with_untracked(|errors| {
        errors
            .iter()
            .find_map(|(_, error)| (***error).downcast_ref::<ApiError>().map(ApiError::status))
    }) {
        set_http_status(status);
    }
    let messages = move || {
        errors
            .get()
            .into_iter()
            .map(|(_, error)| view! { <li>{error.to_string()}</li> })
            .collect_view()
    };

    view! {
        <div class="panel panel--error" role="alert">
            <h2 class="panel__title">{format!("Could not load {what}")}</h2>
            <ul class="panel__errors">{messages}</ul>
            <p>
                "Reload the page to try again. If it keeps failing, the server log has the cause."
            </p>
        </div>
    }
}

/// What a failed load shows when there is no `ErrorBoundary` around it (nested suspense
/// boundaries inside an `ErrorBoundary` stream out of order in this Leptos version).
#[component]
pub fn LoadError(error: ApiError, #[prop(into)] what: String) -> impl IntoView {
    set_http_status(error.status());
    view! {
        <div class="panel panel--error" role="alert">
            <h2 class="panel__title">{format!("Could not load {what}")}</h2>
            <p>{error.to_string()}</p>
            <p>
                "Reload the page to try again. If it keeps failing, the server log has the cause."
            </p>
        </div>
    }
}
