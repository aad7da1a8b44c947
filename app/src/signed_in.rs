//! Who is signed in, known synchronously on both sides of hydration.
//!
//! The server knows from the request (the principal the session resolved to) and writes it
//! on the `<body>` (`data-user`, `data-role`); the browser reads it back from there before
//! hydrating. Being synchronous, nothing that depends on it (the navigation, the user menu,
//! a page only admins may see) has to wait in a `Suspense`, so pages render the same on
//! both sides. Sign-in and sign-out are full page loads, so it is always current.

use domain::access::{Action, Role};
use leptos::prelude::*;

use crate::api::session::Me;

/// The signed-in user, provided as context by `App`; None for a visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn(pub Option<Me>);

impl SignedIn {
    /// Reads it from the request (server) or from the page (browser).
    pub fn detect() -> Self {
        #[cfg(feature = "ssr")]
        {
            Self(crate::api::access::current().map(|principal| Me {
                email: principal.email.to_string(),
                role: principal.role,
            }))
        }
        #[cfg(not(feature = "ssr"))]
        {
            let body = document().body();
            let read = |name: &str| body.as_ref().and_then(|body| body.get_attribute(name));
            let role = read("data-role").and_then(|role| role.parse::<Role>().ok());
            Self(
                read("data-user")
                    .zip(role)
                    .map(|(email, role)| Me { email, role }),
            )
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.0.as_ref().map(|me| me.role)
    }

    pub fn may(&self, action: Action) -> bool {
        self.role().is_some_and(|role| role.allows(action))
    }
}

/// The signed-in user from context (see [`SignedIn`]).
pub fn signed_in() -> SignedIn {
    use_context::<SignedIn>().unwrap_or(SignedIn(None))
}
