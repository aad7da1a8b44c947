//! The dlrhub console.
//!
//! - `layouts/`: the frame around every page (sidebar, top bar).
//! - `pages/`: one file per page, named `*_page.rs`.
//! - `components/`: widgets; `common/` holds the ones every area shares.
//! - `api/`: server functions grouped by domain. Their bodies only exist with the `ssr`
//!   feature; the browser build gets a stub that POSTs to `/api/<endpoint>`.

// Leptos views are deeply nested types; the release wasm build's layout queries for the
// larger pages (tenant activity, dead letters) exceed the default limit of 128.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod http_status;
pub mod layouts;
pub mod pages;
pub mod query_string;
pub mod signed_in;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::layouts::{ConsoleFrame, ConsoleLayout};
use crate::pages::{
    AccountPage, AuditPage, DeadLettersPage, EventPage, EventsPage, LoginPage, NotFoundPage,
    OverviewPage, RejectedPage, SearchPage, TenantPage, TenantsPage, UsersPage,
};
use crate::signed_in::SignedIn;

/// The HTML document the server streams; `App` renders inside its body. The body says who
/// is signed in, for the browser to read before hydrating (see `signed_in`).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let me = SignedIn::detect().0;
    let (user, role) = (
        me.as_ref().map(|me| me.email.clone()),
        me.map(|me| me.role.as_str()),
    );
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <AutoReload options=options.clone() />
                // The stylesheet by its hashed name when the build hashed the files.
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body data-user=user data-role=role>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(SignedIn::detect());

    view! {
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
                    <Route path=path!("/tenants") view=TenantsPage />
                    <Route path=path!("/tenants/:app_key") view=TenantPage />
                    <Route path=path!("/events") view=EventsPage />
                    <Route path=path!("/events/:app_key/:id") view=EventPage />
                    <Route path=path!("/dead-letters") view=DeadLettersPage />
                    <Route path=path!("/rejected") view=RejectedPage />
                    <Route path=path!("/search") view=SearchPage />
                    <Route path=path!("/users") view=UsersPage />
                    <Route path=path!("/audit") view=AuditPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
