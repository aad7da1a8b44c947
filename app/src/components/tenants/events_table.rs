use domain::{EventKind, ForwardState};
use leptos::prelude::*;

use crate::api::error::ApiError;
use crate::api::events::EventSummary;
use crate::components::common::{DataTable, LoadError};

/// The columns of [`EventRow`] with `show_tenant`: events across tenants.
pub const COLUMNS_WITH_TENANT: &[&str] = &[
    "Time",
    "Tenant",
    "Event",
    "Forwarding",
    "uid",
    "Phone",
    "Sinch status",
    "Category",
    "Batch",
];

/// The same without the tenant (a tenant's own page). Both follow [`EventRow`]'s cells;
/// what people look for (the event, whether it reached MoEngage) comes first, so that it
/// stays in view when the table is wider than the screen.
pub const COLUMNS: &[&str] = &[
    "Time",
    "Event",
    "Forwarding",
    "uid",
    "Phone",
    "Sinch status",
    "Category",
    "Batch",
];

/// A tenant's newest events, as the page loads them (again after each test report).
pub type EventsResource = Resource<Result<Vec<EventSummary>, ApiError>>;

/// The events of `events`; rows of the batch `highlight` stand out (the self-check's).
#[component]
pub fn EventsTable(
    events: EventsResource,
    #[prop(into, optional)] highlight: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| {
            view! { <p class="skeleton-block" aria-busy="true"></p> }
        }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(events) => view! { <Rows events highlight /> }.into_any(),
                    Err(error) => view! { <LoadError error what="the events" /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Rows(events: Vec<EventSummary>, highlight: Signal<Option<String>>) -> impl IntoView {
    if events.is_empty() {
        return view! {
            <p class="empty-note">
                "No events yet. Once Sinch calls the callback URL, each report's event shows here."
            </p>
        }
        .into_any();
    }
    let rows = events
        .into_iter()
        .map(|event| {
            let batch = event.batch_id.clone();
            let highlighted =
                Signal::derive(move || highlight.get().as_deref() == Some(batch.as_str()));
            view! { <EventRow event highlighted /> }
        })
        .collect_view();
    view! { <DataTable columns=COLUMNS>{rows}</DataTable> }.into_any()
}

/// One event as a table row, its time linking to its page; with `show_tenant`, a cell
/// linking to the tenant.
#[component]
pub fn EventRow(
    event: EventSummary,
    #[prop(optional)] show_tenant: bool,
    #[prop(into, optional)] highlighted: Signal<bool>,
) -> impl IntoView {
    let (kind_class, kind_label) = kind_chip(event.kind);
    let (state_class, state_label) = state_chip(event.forward_state);
    let phone = if event.phone.is_empty() {
        "batch summary".to_owned()
    } else {
        event.phone
    };
    let batch_id = event.batch_id.clone();
    // The whole ids on hover: the cells shorten them (style: .cell--id).
    let (uid_title, batch_title) = (event.uid.clone(), event.batch_id.clone());
    let row_class = move || highlighted.get().then_some("row--highlight");
    let href = format!("/events/{}/{}", event.app_key, event.id);
    let app_key = event.app_key;
    let tenant_name = event.tenant_name;
    // The name people know; the workspace id on hover.
    let tenant = show_tenant.then(|| {
        view! {
            <td data-label="Tenant">
                <a href=format!("/tenants/{app_key}?tab=activity") title=app_key.clone()>
                    {tenant_name}
                </a>
            </td>
        }
    });
    view! {
        <tr class=row_class data-batch=batch_id>
            <td data-label="Time">
                <a href=href>
                    <time datetime=event.at.iso title=event.at.exact>
                        {event.at.relative}
                    </time>
                </a>
            </td>
            {tenant}
            <td data-label="Event">
                <span class=format!("chip {kind_class}")>{kind_label}</span>
            </td>
            <td data-label="Forwarding">
                <span class=format!("chip {state_class}") title=event.last_error>
                    {state_label}
                </span>
            </td>
            <td data-label="uid" class="mono cell--id" title=uid_title>
                {event.uid}
            </td>
            <td data-label="Phone" class="mono">
                {phone}
            </td>
            <td data-label="Sinch status">
                {format!("{} ({})", event.sinch_status, event.sinch_code)}
            </td>
            <td data-label="Category">{event.category.unwrap_or_default()}</td>
            <td data-label="Batch" class="mono cell--id" title=batch_title>
                {event.batch_id}
            </td>
        </tr>
    }
}

/// The event chip's colour class and label (ui.md's fixed colours).
/// An event's kind as a chip: its colour and MoEngage's name for it.
pub fn kind_chip(kind: EventKind) -> (&'static str, &'static str) {
    let class = match kind {
        EventKind::Sent => "chip--sent",
        EventKind::Delivered => "chip--delivered",
        EventKind::DeliveryFailed => "chip--failed",
    };
    (class, kind.action_name())
}

/// A forwarding state as a chip: its colour and its label (`ForwardState::label`).
pub fn state_chip(state: ForwardState) -> (&'static str, &'static str) {
    let class = match state {
        ForwardState::Pending => "chip--pending",
        ForwardState::Retrying => "chip--retrying",
        ForwardState::Forwarded => "chip--delivered",
        ForwardState::Dead => "chip--dead",
        ForwardState::Discarded | ForwardState::Suppressed => "chip--outline",
    };
    (class, state.label())
}
