use domain::access::Action;
use domain::{EventKind, ForwardState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::query_string::encode;
use crate::signed_in::signed_in;

use crate::api::events::{list_events, EventList, EventQuery};
use crate::api::filter_options::{
    event_filter_options, FilterCounts, FilterOptions, STATE_COUNT_CAP,
};
use crate::components::common::{DataTable, LoadError};
use crate::components::csv_export::CsvExport;
use crate::components::tenants::{EventRow, COLUMNS_WITH_TENANT};

/// How often the live tail reads the newest page again.
const LIVE_SECS: u64 = 3;

/// Every event of the user's tenants, newest first, filtered by a GET form so that the URL
/// holds the view (shareable, and the back button works), a keyset page of 50 at a time.
#[component]
pub fn EventsPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        query.with(|q| {
            let get = |name: &str| q.get(name).unwrap_or_default();
            EventQuery {
                tenant: get("tenant"),
                event: get("event"),
                status: get("status"),
                code: get("code"),
                uid: get("uid"),
                phone: get("phone"),
                category: get("category"),
                batch: get("batch"),
                state: get("state"),
                from: get("from"),
                to: get("to"),
                before: get("before"),
            }
        })
    });
    // The filter bar follows the filters but not the page or the live tail, so that what
    // someone is typing into it stays put.
    let chosen = Memo::new(move |_| EventQuery {
        before: String::new(),
        ..filters.get()
    });
    let options = Resource::new_blocking(move || chosen.get(), event_filter_options);
    let events = Resource::new_blocking(move || filters.get(), list_events);
    // Live tail: while on, the newest page is read again every few seconds (only in the
    // browser: effects do not run on the server). Older pages stay still.
    let live = RwSignal::new(false);
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if live.get_untracked() && filters.with_untracked(|f| f.before.is_empty()) {
                    events.refetch();
                }
            },
            std::time::Duration::from_secs(LIVE_SECS),
        ) {
            on_cleanup(move || handle.clear());
        }
    });

    view! {
        <Title text="Events" />
        <header class="page-header">
            <h1>"Events"</h1>
            <p class="page-header__lede">
                "The SMS Sent, SMS Delivered and SMS Delivery Failed events made from Sinch's reports, and what became of each. Times are UTC."
            </p>
        </header>
        <Transition fallback=|| {
            view! { <p class="skeleton-block" aria-busy="true"></p> }
        }>
            {move || Suspend::new(async move {
                let current = chosen.get_untracked();
                match options.await {
                    Ok(options) => view! { <Filters current options /> }.into_any(),
                    Err(error) => view! { <LoadError error what="the filters" /> }.into_any(),
                }
            })}
        </Transition>
        <Toolbar live filters />
        <Transition fallback=|| {
            view! { <p class="skeleton-block" aria-busy="true"></p> }
        }>
            {move || Suspend::new(async move {
                let current = filters.get_untracked();
                match events.await {
                    Ok(list) => view! { <EventsView list current /> }.into_any(),
                    Err(error) => view! { <LoadError error what="the events" /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn EventsView(list: EventList, current: EventQuery) -> impl IntoView {
    let problems = (!list.problems.is_empty()).then(|| {
        let items = list
            .problems
            .iter()
            .map(|problem| view! { <li>{problem.clone()}</li> })
            .collect_view();
        view! {
            <div class="notice notice--error" role="alert">
                <p>"These filters could not be read:"</p>
                <ul>{items}</ul>
            </div>
        }
    });
    let older = list.older.map(|cursor| {
        let href = page_href(&current, &cursor);
        view! {
            <a class="button--quiet" href=href rel="next">
                "Older →"
            </a>
        }
    });
    let newest = (!current.before.is_empty()).then(|| {
        let href = page_href(&current, "");
        view! {
            <a class="button--quiet" href=href>
                "← Newest"
            </a>
        }
    });
    let readable = list.problems.is_empty();
    let body = if list.rows.is_empty() {
        view! {
            <p class="empty-note">
                "No event matches. Events appear once Sinch calls a tenant's callback URL."
            </p>
        }
        .into_any()
    } else {
        let rows = list
            .rows
            .into_iter()
            .map(|event| view! { <EventRow event show_tenant=true /> })
            .collect_view();
        view! { <DataTable columns=COLUMNS_WITH_TENANT>{rows}</DataTable> }.into_any()
    };
    view! {
        {problems}
        {readable
            .then(|| {
                view! {
                    <section class="panel">
                        {body} <nav class="pager" aria-label="Pages">
                            {newest}
                            {older}
                        </nav>
                    </section>
                }
            })}
    }
}

/// An option's label with its count, when it has one. Forwarding states are counted up to
/// a cap: past it they read "10000+".
fn counted(label: &str, count: Option<i64>) -> String {
    match count {
        Some(count) => format!("{label} — {count}"),
        None => label.to_owned(),
    }
}

fn counted_state(label: &str, count: Option<i64>) -> String {
    match count {
        Some(count) if count > STATE_COUNT_CAP => format!("{label} — {STATE_COUNT_CAP}+"),
        Some(count) => format!("{label} — {count}"),
        None => label.to_owned(),
    }
}

#[component]
fn Filters(current: EventQuery, options: FilterOptions) -> impl IntoView {
    let FilterOptions { tenants, counts } = options;
    let options = |choices: &[(&'static str, &'static str)],
                   selected: &str,
                   of: &[(String, i64)],
                   label: fn(&str, Option<i64>) -> String| {
        choices
            .iter()
            .map(|(value, name)| {
                let count = (!value.is_empty())
                    .then(|| FilterCounts::of(of, value))
                    .flatten();
                view! {
                    <option value=*value selected=*value == selected>
                        {label(name, count)}
                    </option>
                }
            })
            .collect_view()
    };
    let tenant_options = tenants
        .into_iter()
        .map(|(key, name)| {
            let selected = key == current.tenant;
            let label = counted(
                &format!("{name} ({key})"),
                FilterCounts::of(&counts.tenants, &key),
            );
            view! {
                <option value=key.clone() selected=selected>
                    {label}
                </option>
            }
        })
        .collect_view();
    let category_options = counts
        .categories
        .iter()
        .map(|(category, count)| {
            view! { <option value=category.clone() label=format!("{category} — {count}")></option> }
        })
        .collect_view();
    let kinds: Vec<(&'static str, &'static str)> = [("", "Any event")]
        .into_iter()
        .chain(EventKind::ALL.map(|kind| (kind.code(), kind.action_name())))
        .collect();
    let events = options(&kinds, &current.event, &counts.kinds, counted);
    let forward_states: Vec<(&'static str, &'static str)> = [("", "Any state")]
        .into_iter()
        .chain(ForwardState::ALL.map(|state| (state.code(), state.label())))
        .collect();
    let states = options(
        &forward_states,
        &current.state,
        &counts.states,
        counted_state,
    );
    // A role that sees numbers masked may not look one up (the list would refuse it).
    let may_look_up_phones = signed_in().may(Action::ViewFullPhoneNumbers);
    let text_fields = [
        ("uid", "uid", current.uid.clone(), "MoEngage customer_id"),
        ("phone", "Phone", current.phone.clone(), "+447700900123"),
        ("batch", "Batch id", current.batch.clone(), ""),
        ("category", "Category", current.category.clone(), "otp"),
        (
            "status",
            "Sinch status",
            current.status.clone(),
            "Delivered",
        ),
        ("code", "Sinch code", current.code.clone(), "0"),
    ]
    .into_iter()
    .filter(|(name, ..)| *name != "phone" || may_look_up_phones)
    .map(|(name, label, value, placeholder)| {
        let id = format!("filter-{name}");
        // The category field suggests the busiest categories, with their counts.
        let list = (name == "category").then_some("category-counts");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input
                    id=id
                    name=name
                    type="search"
                    value=value
                    placeholder=placeholder
                    list=list
                />
            </div>
        }
    })
    .collect_view();

    view! {
        <form
            method="get"
            action="/events"
            class="filters"
            role="search"
            aria-label="Filter the events"
        >
            <div class="field">
                <label for="filter-tenant">"Tenant"</label>
                <select id="filter-tenant" name="tenant">
                    <option value="">"All tenants"</option>
                    {tenant_options}
                </select>
            </div>
            <div class="field">
                <label for="filter-event">"Event"</label>
                <select id="filter-event" name="event">
                    {events}
                </select>
            </div>
            <div class="field">
                <label for="filter-state">"Forwarding"</label>
                <select id="filter-state" name="state">
                    {states}
                </select>
            </div>
            {text_fields}
            <div class="field">
                <label for="filter-from">"From (UTC)"</label>
                <input id="filter-from" name="from" type="datetime-local" value=current.from />
            </div>
            <div class="field">
                <label for="filter-to">"To (UTC)"</label>
                <input id="filter-to" name="to" type="datetime-local" value=current.to />
            </div>
            <datalist id="category-counts">{category_options}</datalist>
            <p class="filters__note muted">
                {format!("Counts (messages, before the text filters) cover {}.", counts.period)}
            </p>
            <button type="submit" class="button">
                "Filter"
            </button>
            <a href="/events" class="button--quiet">
                "Clear"
            </a>
        </form>
    }
}

/// "Export CSV" (every matching event, streamed, with its progress) and the live tail's
/// switch.
#[component]
fn Toolbar(live: RwSignal<bool>, filters: Memo<EventQuery>) -> impl IntoView {
    let export = Signal::derive(move || {
        let query = page_href(&filters.get(), "");
        query.replacen("/events?", "/events.csv?", 1)
    });
    let on_newest = move || filters.with(|f| f.before.is_empty());
    view! {
        <div class="toolbar events-toolbar">
            <CsvExport href=export />
            <label class="live-toggle" title="Reads the newest events again every few seconds">
                <input
                    type="checkbox"
                    prop:checked=move || live.get()
                    on:change=move |ev| live.set(event_target_checked(&ev))
                    disabled=move || !on_newest()
                />
                " Live"
            </label>
            <span class="muted" role="status">
                {move || {
                    if !on_newest() {
                        "Live follows the newest page only."
                    } else if live.get() {
                        "Live: new events appear as they arrive. Untick to pause."
                    } else {
                        ""
                    }
                }}
            </span>
        </div>
    }
}

/// This view's URL starting at `before` (empty: the newest page).
fn page_href(current: &EventQuery, before: &str) -> String {
    let pairs = [
        ("tenant", current.tenant.as_str()),
        ("event", &current.event),
        ("status", &current.status),
        ("code", &current.code),
        ("uid", &current.uid),
        ("phone", &current.phone),
        ("category", &current.category),
        ("batch", &current.batch),
        ("state", &current.state),
        ("from", &current.from),
        ("to", &current.to),
        ("before", before),
    ];
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect();
    format!("/events?{}", query.join("&"))
}
