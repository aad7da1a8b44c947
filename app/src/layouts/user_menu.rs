use leptos::prelude::*;
use leptos_router::components::A;

use crate::signed_in::signed_in;

/// The signed-in user's email and role, a link to their account and "Sign out" (a plain
/// form POST, so it works before the wasm bundle loads).
#[component]
pub fn UserMenu() -> impl IntoView {
    signed_in().0.map(|me| {
        view! {
            <div class="user-menu">
                <A href="/account" attr:class="user-menu__who">
                    <span class="user-menu__email">{me.email}</span>
                    <span class="chip chip--role">{me.role.label()}</span>
                </A>
                <form method="post" action="/auth/logout" class="user-menu__out">
                    <button type="submit" class="button--quiet">
                        "Sign out"
                    </button>
                </form>
            </div>
        }
    })
}
