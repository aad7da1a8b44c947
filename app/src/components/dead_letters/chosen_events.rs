use leptos::prelude::*;

use crate::api::dead_letters::{DiscardDeadLetters, ReplayDeadLetters};
use crate::api::events::EventSummary;
use crate::components::dead_letters::{DiscardForm, ReplayForm};

/// The newest dead letters of a group with a checkbox each, to replay or discard only
/// the ones chosen.
#[component]
pub fn ChosenEvents(
    events: Vec<EventSummary>,
    app_key: String,
    may_act: bool,
    replay: ServerAction<ReplayDeadLetters>,
    discard: ServerAction<DiscardDeadLetters>,
) -> impl IntoView {
    let picked = RwSignal::new(Vec::<i64>::new());
    let ids = Signal::derive(move || {
        picked.with(|ids| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
    });
    let count = Signal::derive(move || picked.with(Vec::len));
    let shown = events.len();
    let items = events
        .into_iter()
        .map(|event| {
            let id = event.id;
            let toggle = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                picked.update(|ids| {
                    ids.retain(|other| *other != id);
                    if on {
                        ids.push(id);
                    }
                });
            };
            let href = format!("/events/{}/{}", event.app_key, id);
            view! {
                <li>
                    <label>
                        <input
                            type="checkbox"
                            disabled=!may_act
                            prop:checked=move || picked.with(|ids| ids.contains(&id))
                            on:change=toggle
                        />
                        " "
                        <time datetime=event.at.iso title=event.at.exact>
                            {event.at.relative}
                        </time>
                        " · uid "
                        <span class="mono">{event.uid}</span>
                        " · batch "
                        <span class="mono">{event.batch_id}</span>
                    </label>
                    " "
                    <a href=href>"open"</a>
                </li>
            }
        })
        .collect_view();
    let none = Signal::derive(move || count.get() == 0);
    let actions = may_act.then(|| {
        view! {
            <div class="row-actions">
                <ReplayForm
                    replay
                    app_key=app_key.clone()
                    ids
                    disabled=none
                    label=Signal::derive(move || format!("Replay selected ({})", count.get()))
                />
                <DiscardForm
                    discard
                    app_key=app_key.clone()
                    ids
                    disabled=none
                    label=Signal::derive(move || format!("Discard selected ({})…", count.get()))
                />
            </div>
        }
    });
    view! {
        <div class="chooser">
            <p class="muted">
                {format!(
                    "The newest {shown} of this group. Choose some (this needs JavaScript) or act on the whole group above.",
                )}
            </p>
            <ul class="chooser__list">{items}</ul>
            {actions}
        </div>
    }
    .into_any()
}
