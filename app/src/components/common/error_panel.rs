use leptos::prelude::*;

/// The fallback of an `ErrorBoundary`: says what failed and what the reader can do.
#[component]
pub fn ErrorPanel(errors: ArcRwSignal<Errors>, #[prop(into)] what: String) -> impl IntoView {
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
pub fn LoadError(error: ServerFnError, #[prop(into)] what: String) -> impl IntoView {
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
