//! The dlrhub console.
//!
//! - `layouts/`: the frame around every page (sidebar, top bar).
//! - `pages/`: one file per page, named `*_page.rs`.
//! - `components/`: widgets; `common/` holds the ones every area shares.
//! - `api/`: server functions grouped by domain. Their bodies only exist with the `ssr`
//!   feature; the browser build gets a stub that POSTs to `/api/<endpoint>`.

pub mod api;
pub mod components;
pub mod http_status;
pub mod layouts;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::layouts::ConsoleLayout;
use crate::pages::{ErrorPage, NotFoundPage, OverviewPage};

/// The HTML document the server streams; `App` renders inside its body.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/dlrhub.css" />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Title formatter=|page: String| format!("{page} · dlrhub") />
        <Router>
            <ConsoleLayout>
                <ErrorBoundary fallback=|errors| view! { <ErrorPage errors /> }>
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=OverviewPage />
                    </Routes>
                </ErrorBoundary>
            </ConsoleLayout>
        </Router>
    }
}
