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
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::api::session::whoami;
use crate::layouts::{ConsoleFrame, ConsoleLayout};
use crate::pages::{AccountPage, AuditPage, LoginPage, NotFoundPage, OverviewPage, UsersPage};

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

/// Who is signed in, read once per page load (sign-in and sign-out are full page loads).
/// Blocking, so the server knows it before the first byte: a page a role may not see is
/// answered with its 404 status.
pub type MeResource = OnceResource<Result<Option<api::session::Me>, ServerFnError>>;

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let me: MeResource = OnceResource::new_blocking(whoami());
    provide_context(me);

    view! {
        <Stylesheet id="leptos" href="/pkg/dlrhub.css" />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Title formatter=|page: String| format!("{page} · dlrhub") />
        <Router>
            <Routes fallback=|| {
                view! {
                    <ConsoleFrame>
                        <NotFoundPage />
                    </ConsoleFrame>
                }
            }>
                <Route path=path!("/login") view=LoginPage />
                <ParentRoute path=path!("") view=ConsoleLayout>
                    <Route path=path!("/") view=OverviewPage />
                    <Route path=path!("/account") view=AccountPage />
                    <Route path=path!("/users") view=UsersPage />
                    <Route path=path!("/audit") view=AuditPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
