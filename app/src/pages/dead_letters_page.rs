use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::dead_letters::{
    dead_letter_groups, dead_letters_in_group, DeadLetterGroup, DeadLetters, DiscardDeadLetters,
    ReplayDeadLetters,
};
use crate::api::events::EventSummary;
use crate::components::common::LoadError;
use crate::components::dead_letters::{
    ChosenEvents, DiscardAnswer, DiscardForm, ReplayForm, ReplayProgressPanel,
};
use crate::query_string::encode;

/// Dead letters grouped by tenant and reason: replay a group, a tenant's all, or chosen
/// ones (with the replay's progress), or discard them with a reason.
#[component]
pub fn DeadLettersPage() -> impl IntoView {
    let query = use_query_map();
    let chosen = Memo::new(move |_| {
        query.with(|q| {
            let tenant = q.get("tenant").unwrap_or_default();
            let reason = q.get("reason").unwrap_or_default();
            (!tenant.is_empty() && !reason.is_empty()).then_some((tenant, reason))
        })
    });
    let replay = ServerAction::<ReplayDeadLetters>::new();
    let discard = ServerAction::<DiscardDeadLetters>::new();
    let changes = move || (replay.version().get(), discard.version().get());
    let groups = Resource::new_blocking(changes, |_| dead_letter_groups());
    let in_group = Resource::new_blocking(
        move || (chosen.get(), changes()),
        |(chosen, _)| async move {
            match chosen {
                Some((tenant, reason)) => dead_letters_in_group(tenant, reason).await.map(Some),
                None => Ok(None),
            }
        },
    );

    view! {
        <Title text="Dead letters" />
        <header class="page-header">
            <h1>"Dead letters"</h1>
            <p class="page-header__lede">
                "Events MoEngage refused for good, or that ran out of retries. Fix the cause (a Data API key, a uid), then replay them; discard the ones that should never arrive."
            </p>
        </header>
        <ReplayProgressPanel replay />
        <DiscardAnswer discard />
        <Suspense fallback=|| {
            view! { <p class="skeleton-block" aria-busy="true"></p> }
        }>
            {move || Suspend::new(async move {
                match (groups.await, in_group.await) {
                    (Ok(letters), Ok(events)) => {
                        let chosen = chosen.get_untracked();
                        view! { <Groups letters chosen events replay discard /> }.into_any()
                    }
                    (Err(error), _) | (_, Err(error)) => {
                        view! { <LoadError error what="the dead letters" /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Groups(
    letters: DeadLetters,
    chosen: Option<(String, String)>,
    events: Option<Vec<EventSummary>>,
    replay: ServerAction<ReplayDeadLetters>,
    discard: ServerAction<DiscardDeadLetters>,
) -> impl IntoView {
    if letters.groups.is_empty() {
        return view! {
            <section class="panel">
                <p class="empty-note">
                    "No dead letters. Every event MoEngage refused or that ran out of retries would be listed here, grouped by tenant and reason."
                </p>
            </section>
        }
        .into_any();
    }
    let may_act = letters.may_act;
    // One section per tenant, in the order of its largest group.
    let mut tenants: Vec<(String, String, Vec<DeadLetterGroup>)> = Vec::new();
    for group in letters.groups {
        match tenants.iter_mut().find(|(key, _, _)| *key == group.app_key) {
            Some((_, _, groups)) => groups.push(group),
            None => tenants.push((
                group.app_key.clone(),
                group.tenant_name.clone(),
                vec![group],
            )),
        }
    }
    let mut events = events;
    tenants
        .into_iter()
        .map(|(app_key, name, groups)| {
            let total: i64 = groups.iter().map(|g| g.count).sum();
            let rows = groups
                .into_iter()
                .map(|group| {
                    let open = chosen.as_ref().is_some_and(|(tenant, reason)| {
                        *tenant == group.app_key && *reason == group.reason
                    });
                    let events = if open { events.take() } else { None };
                    view! { <Group group may_act open events replay discard /> }
                })
                .collect_view();
            let replay_all = may_act.then(|| {
                view! {
                    <ReplayForm
                        replay
                        app_key=app_key.clone()
                        label=format!("Replay all {total} of {name}'s")
                    />
                }
            });
            view! {
                <section class="panel" aria-label=format!("Dead letters of {name}")>
                    <header class="panel__header">
                        <h2 class="panel__title">
                            <a href=format!(
                                "/tenants/{app_key}?tab=settings",
                            )>{format!("{name} ({app_key})")}</a>
                            {format!(
                                " — {total} dead letter{}",
                                if total == 1 { "" } else { "s" },
                            )}
                        </h2>
                        {replay_all}
                    </header>
                    <ul class="dead-groups">{rows}</ul>
                </section>
            }
            .into_any()
        })
        .collect_view()
        .into_any()
}

/// One tenant's dead letters of one reason: how many, since when, an example, and what
/// can be done with them.
#[component]
fn Group(
    group: DeadLetterGroup,
    may_act: bool,
    open: bool,
    events: Option<Vec<EventSummary>>,
    replay: ServerAction<ReplayDeadLetters>,
    discard: ServerAction<DiscardDeadLetters>,
) -> impl IntoView {
    let DeadLetterGroup {
        app_key,
        reason,
        count,
        oldest,
        newest,
        example,
        ..
    } = group;
    let choose_href = if open {
        "/dead-letters".to_owned()
    } else {
        format!(
            "/dead-letters?tenant={}&reason={}",
            encode(&app_key),
            encode(&reason)
        )
    };
    let actions = may_act.then(|| {
        view! {
            <div class="row-actions">
                <ReplayForm
                    replay
                    app_key=app_key.clone()
                    reason=reason.clone()
                    label=format!("Replay these {count}")
                />
                <DiscardForm
                    discard
                    app_key=app_key.clone()
                    reason=reason.clone()
                    label=format!("Discard these {count}…")
                />
                <a class="button--quiet" href=choose_href.clone()>
                    {if open { "Close" } else { "Choose…" }}
                </a>
            </div>
        }
    });
    let chooser = events.map(|events| {
        view! { <ChosenEvents events app_key=app_key.clone() may_act replay discard /> }
    });
    view! {
        <li class="dead-group">
            <p class="dead-group__reason mono">{reason.clone()}</p>
            <p class="dead-group__facts">
                <strong class="num">{count}</strong>
                {format!(" event{} · oldest ", if count == 1 { "" } else { "s" })}
                <time datetime=oldest.iso title=oldest.exact>
                    {oldest.relative}
                </time>
                " · newest "
                <a href=format!("/events/{app_key}/{example}")>
                    <time datetime=newest.iso title=newest.exact>
                        {newest.relative}
                    </time>
                </a>
            </p>
            {actions}
            {chooser}
        </li>
    }
    // Erased: the page's nested types otherwise overflow the compiler's query depth in
    // the release wasm build.
    .into_any()
}
