use leptos::prelude::*;
use leptos_router::components::Outlet;

use super::sidebar::Sidebar;
use super::top_search::TopSearch;
use super::user_menu::UserMenu;
use crate::pages::ErrorPage;

/// The layout route of every console page: the frame around the matched page.
#[component]
pub fn ConsoleLayout() -> impl IntoView {
    view! {
        <ConsoleFrame>
            <ErrorBoundary fallback=|errors| view! { <ErrorPage errors /> }>
                <Outlet />
            </ErrorBoundary>
        </ConsoleFrame>
    }
}

/// The frame of every console page: the sidebar with the sections and a top bar with the
/// search and the user menu.
///
/// On narrow screens the sidebar folds away behind the "Menu" button. The button only
/// works once the wasm bundle has hydrated the page, which the end-to-end suite relies on
/// to prove hydration.
#[component]
pub fn ConsoleFrame(children: Children) -> impl IntoView {
    let nav_open = RwSignal::new(false);

    // The first stop of the Tab key: past the sidebar and the top bar to the page itself.
    // The browser follows it (rel="external" keeps the router's hands off a same-page
    // link, which would scroll but leave the focus behind) and focuses the main region,
    // so that the next Tab is the page's first control.
    view! {
        <a class="skip-link" href="#content" rel="external">
            "Skip to the page"
        </a>
        <div class="console" class:console--nav-open=move || nav_open.get()>
            <Sidebar on_navigate=move || nav_open.set(false) />
            <div class="console__main">
                <header class="topbar">
                    <button
                        type="button"
                        class="topbar__menu"
                        aria-controls="sidebar"
                        aria-expanded=move || nav_open.get().to_string()
                        on:click=move |_| nav_open.update(|open| *open = !*open)
                    >
                        <span aria-hidden="true">"☰"</span>
                        " Menu"
                    </button>
                    <span class="topbar__brand">"dlrhub"</span>
                    <TopSearch />
                    <UserMenu />
                </header>
                <main class="content" id="content" tabindex="-1">
                    {children()}
                </main>
            </div>
        </div>
    }
}
