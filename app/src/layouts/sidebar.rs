use leptos::prelude::*;
use leptos_router::components::A;

/// A section of the console. `built` is false for areas whose pages do not exist yet: they
/// are listed so people see what is coming, but are not links to nowhere.
struct Section {
    label: &'static str,
    href: &'static str,
    built: bool,
}

const SECTIONS: &[Section] = &[
    Section {
        label: "Overview",
        href: "/",
        built: true,
    },
    Section {
        label: "Tenants",
        href: "/tenants",
        built: false,
    },
    Section {
        label: "Events",
        href: "/events",
        built: false,
    },
    Section {
        label: "Dead letters",
        href: "/dead-letters",
        built: false,
    },
    Section {
        label: "Rejected",
        href: "/rejected",
        built: false,
    },
    Section {
        label: "Users",
        href: "/users",
        built: false,
    },
    Section {
        label: "Audit",
        href: "/audit",
        built: false,
    },
];

#[component]
pub fn Sidebar(on_navigate: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let items = SECTIONS
        .iter()
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
        .collect_view();

    view! {
        <aside class="sidebar" id="sidebar">
            <a class="sidebar__brand" href="/">
                <span class="sidebar__logo" aria-hidden="true">
                    "◆"
                </span>
                "dlrhub"
            </a>
            <nav class="nav" aria-label="Sections">
                <ul>{items}</ul>
            </nav>
        </aside>
    }
}
