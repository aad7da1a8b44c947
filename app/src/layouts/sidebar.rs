use domain::access::{Action, Role};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::signed_in::signed_in;

/// A section of the console. `built` is false for areas whose pages do not exist yet: they
/// are listed so people see what is coming, but are not links to nowhere. Sections whose
/// `action` the user's role lacks are not listed (the server refuses them anyway).
struct Section {
    label: &'static str,
    href: &'static str,
    built: bool,
    action: Option<Action>,
}

const SECTIONS: &[Section] = &[
    Section {
        label: "Overview",
        href: "/",
        built: true,
        action: None,
    },
    Section {
        label: "Tenants",
        href: "/tenants",
        built: true,
        action: None,
    },
    Section {
        label: "Events",
        href: "/events",
        built: true,
        action: None,
    },
    Section {
        label: "Dead letters",
        href: "/dead-letters",
        built: true,
        action: None,
    },
    Section {
        label: "Rejected",
        href: "/rejected",
        built: false,
        action: None,
    },
    Section {
        label: "Users",
        href: "/users",
        built: true,
        action: Some(Action::ManageUsers),
    },
    Section {
        label: "Audit",
        href: "/audit",
        built: true,
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
            if section.built {
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
                .into_any()
            } else {
                view! {
                    <li>
                        <span class="nav__link nav__link--soon" aria-disabled="true">
                            <span>{section.label}</span>
                            <small class="nav__soon">"soon"</small>
                        </span>
                    </li>
                }
                .into_any()
            }
        })
        .collect_view()
}
