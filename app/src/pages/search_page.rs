use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::search::{global_search, SearchMatch, SearchResults, SEARCH_SHOWN};
use crate::components::common::{DataTable, LoadError};
use crate::components::tenants::{EventRow, COLUMNS_WITH_TENANT};
use crate::query_string::encode;

/// The top bar's search (`/search?q=`): the text as a uid, a phone number and a batch id,
/// each reading that finds events with its newest ones and a link to all of them.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let text = Memo::new(move |_| query.with(|q| q.get("q").unwrap_or_default()));
    let results = Resource::new_blocking(move || text.get(), global_search);
    view! {
        <Title text="Search" />
        <header class="page-header">
            <h1>"Search"</h1>
            <p class="page-header__lede">
                "Events whose uid, phone number or batch id is exactly the text searched, in your tenants, newest first."
            </p>
        </header>
        <Suspense fallback=|| {
            view! { <p class="skeleton-block" aria-busy="true"></p> }
        }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(results) => view! { <Results results /> }.into_any(),
                    Err(error) => view! { <LoadError error what="the search" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Results(results: SearchResults) -> impl IntoView {
    let SearchResults {
        text,
        matches,
        phone_withheld,
    } = results;
    let withheld = phone_withheld
        .then(|| {
            view! {
                <p class="empty-note" role="note">
                    {format!(
                        "“{text}” reads as a phone number, which your role sees masked, so it was looked up as a uid and a batch id only. Support and admins can search by phone number.",
                    )}
                </p>
            }
        });
    if text.is_empty() {
        return view! {
            <section class="panel">
                <p class="empty-note">
                    "Type a uid, a phone number or a batch id in the search box at the top (press / to get there), then Enter."
                </p>
            </section>
        }
        .into_any();
    }
    if matches.is_empty() {
        return view! {
            <section class="panel">
                {withheld}
                <p class="empty-note">
                    {format!(
                        "No event has the uid, phone number or batch id “{text}”. A uid must match exactly (case included); a phone number can be typed any usual way.",
                    )}
                </p> <p class="empty-note">
                    <a href="/events">"Browse every event →"</a>
                </p>
            </section>
        }
        .into_any();
    }
    let found = matches
        .into_iter()
        .map(|found| view! { <Match found /> })
        .collect_view();
    view! {
        {withheld.map(|note| view! { <section class="panel">{note}</section> })}
        {found}
    }
    .into_any()
}

#[component]
fn Match(found: SearchMatch) -> impl IntoView {
    let SearchMatch {
        field,
        value,
        rows,
        more,
    } = found;
    let what = match field.as_str() {
        "uid" => "uid",
        "phone" => "Phone number",
        _ => "Batch",
    };
    let heading = format!("{what} {value}");
    let label = heading.clone();
    let href = format!("/events?{field}={}", encode(&value));
    let count = if more {
        format!("The newest {SEARCH_SHOWN}")
    } else if rows.len() == 1 {
        "1 event".to_owned()
    } else {
        format!("{} events", rows.len())
    };
    let rows = rows
        .into_iter()
        .map(|event| view! { <EventRow event show_tenant=true /> })
        .collect_view();
    view! {
        <section class="panel search-match" aria-label=label>
            <header class="panel__header">
                <h2>{heading}</h2>
                <p class="muted">
                    {count} " · "
                    <a href=href>
                        {if more { "All of them in Events →" } else { "Open in Events →" }}
                    </a>
                </p>
            </header>
            <DataTable columns=COLUMNS_WITH_TENANT>{rows}</DataTable>
        </section>
    }
}
