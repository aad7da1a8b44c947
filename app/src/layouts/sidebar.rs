use domain::access::{Action, Role};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::signed_in::signed_in;

/// A section of the console. Sections whose `action` the user's role lacks are not listed
/// (the server refuses them anyway).
struct Section {
    label: &'static str,
    href: &'static str,
    action: Option<Action>,
}

const SECTIONS: &[Section] = &[
    Section {
        label: "Overview",
        href: "/",
        action: None,
    },
    Section {
        label: "Tenants",
        href: "/tenants",
        action: None,
    },
    Section {
        label: "Events",
        href: "/events",
        action: None,
    },
    Section {
        label: "Dead letters",
        href: "/dead-letters",
        action: None,
    },
    Section {
        label: "Rejected",
        href: "/rejected",
        action: None,
    },
    Section {
        label: "Users",
        href: "/users",
        action: Some(Action::ManageUsers),
    },
    Section {
        label: "Audit",
        href: "/audit",
        action: Some(Action::ViewAudit),
    },
];

#[component]
pub fn Sidebar(on_navigate: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let links = section_links(signed_in().role(), on_navigate);

    view! {
        <aside class="sidebar" id="sidebar">
            <a class="sidebar__brand" href="/">
                <span class="sidebar__logo" aria-hidden="true">
                    "◆"
                </span>
                "dlrhub"
            </a>
            <nav class="nav" aria-label="Sections">
                <ul>{links}</ul>
            </nav>
        </aside>
    }
}

fn section_links(
    role: Option<Role>,
    on_navigate: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    SECTIONS
        .iter()
        .filter(|section| match section.action {
            None => true,
            Some(action) => role.is_some_and(|role| role.allows(action)),
        })
        .map(|section| {
            let on_navigate = on_navigate.clone();
            view! {
                <li>
                    <A
                        href=section.href
                        exact=true
                        attr:class="nav__link"
                        on:click=move |_| on_navigate()
                    >
                        {section.label}
                    </A>
                </li>
            }
        })
        .collect_view()
}
