use std::time::Duration;

use leptos::prelude::*;

use crate::api::dead_letters::{replay_progress, ReplayDeadLetters, ReplayStarted};

/// Polls while a replay's events are still waiting.
const POLL: Duration = Duration::from_secs(1);

/// The last replay's progress: how many of its events were forwarded, failed again or
/// still wait, followed until none waits.
#[component]
pub fn ReplayProgressPanel(replay: ServerAction<ReplayDeadLetters>) -> impl IntoView {
    move || {
        replay.value().get().map(|answer| match answer {
            Ok(started) if started.queued == 0 => view! {
                <p class="notice" role="status">
                    "Nothing to replay: they were replayed or discarded meanwhile."
                </p>
            }
            .into_any(),
            Ok(started) => view! { <Progress started /> }.into_any(),
            Err(error) => view! {
                <p class="notice notice--error" role="alert">
                    {error.to_string()}
                </p>
            }
            .into_any(),
        })
    }
}

#[component]
fn Progress(started: ReplayStarted) -> impl IntoView {
    let tick = RwSignal::new(0_u32);
    let (app_key, mark) = (started.app_key.clone(), started.mark.clone());
    let progress = LocalResource::new(move || {
        tick.track();
        replay_progress(app_key.clone(), mark.clone())
    });
    let done = Memo::new(move |_| {
        progress
            .get()
            .and_then(Result::ok)
            .is_some_and(|now| now.waiting == 0)
    });
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if !done.get_untracked() {
                    tick.update(|n| *n += 1);
                }
            },
            POLL,
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let queued = started.queued;
    let max = queued.to_string();
    move || {
        let Some(Ok(now)) = progress.get() else {
            return view! {
                <p class="notice" role="status">
                    {format!("{queued} queued for forwarding…")}
                </p>
            }
            .into_any();
        };
        let finished = now.forwarded + now.failed;
        let headline = if now.waiting == 0 {
            format!(
                "Replay finished: {} forwarded, {} failed again.",
                now.forwarded, now.failed
            )
        } else {
            format!(
                "Replaying {queued}: {} forwarded, {} failed again, {} waiting…",
                now.forwarded, now.failed, now.waiting
            )
        };
        view! {
            <div class="notice replay-progress" role="status">
                <p>{headline}</p>
                <progress max=max.clone() value=finished.to_string() aria-label="Replay progress">
                    {format!("{finished} of {queued}")}
                </progress>
            </div>
        }
        .into_any()
    }
}
