use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::activity::Moment;
use crate::api::error::status_of;
use crate::api::event_detail::{get_event, AttemptView, EventDetail, ReplayEvent, TimelineStep};
use crate::components::common::{CopyButton, DataTable, LoadError};
use crate::components::tenants::{kind_chip, state_chip};

/// One event's whole story: what Sinch said, when, what dlrhub sent MoEngage and what
/// MoEngage answered each time; "Replay" when it did not arrive.
#[component]
pub fn EventPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        params.with(|p| {
            (
                p.get("app_key").unwrap_or_default(),
                p.get("id")
                    .and_then(|id| id.parse::<i64>().ok())
                    .unwrap_or(0),
            )
        })
    };
    let replay = ServerAction::<ReplayEvent>::new();
    let detail = Resource::new_blocking(
        move || (key(), replay.version().get()),
        |((app_key, id), _)| async move { status_of(get_event(app_key, id).await) },
    );

    view! {
        <Title text=move || format!("Event {}", key().1) />
        <p>
            <a href="/events" class="button--quiet">
                "← Events"
            </a>
        </p>
        // Outside the detail: a replayed event is no longer failed, and the detail (which
        // offers Replay only for failed events) renders again without the form.
        {move || {
            replay
                .value()
                .get()
                .map(|answer| match answer {
                    Ok(done) => {
                        view! {
                            <p class="notice" role="status">
                                {done}
                            </p>
                        }
                            .into_any()
                    }
                    Err(error) => {
                        view! {
                            <p class="notice notice--error" role="alert">
                                {error.to_string()}
                            </p>
                        }
                            .into_any()
                    }
                })
        }}
        <Suspense fallback=|| {
            view! { <p class="skeleton-block" aria-busy="true"></p> }
        }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <Detail detail replay /> }.into_any(),
                    Err(error) => view! { <LoadError error what="the event" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Detail(detail: EventDetail, replay: ServerAction<ReplayEvent>) -> impl IntoView {
    let event = detail.event.clone();
    let (kind_class, kind_label) = kind_chip(event.kind);
    let (state_class, state_label) = state_chip(event.forward_state);
    let failed = event.forward_state.went_wrong();
    let problem = event.last_error.clone().filter(|_| failed).map(|error| {
        view! {
            <div class="notice notice--error" role="alert">
                <p>
                    <strong>"MoEngage did not take it: "</strong>
                    <span class="mono">{error}</span>
                </p>
            </div>
        }
    });
    let replay_form = (detail.may_replay && failed).then(|| {
        let (app_key, id) = (detail.app_key.clone(), event.id);
        view! {
            <ActionForm action=replay attr:class="form--inline">
                <input type="hidden" name="app_key" value=app_key />
                <input type="hidden" name="id" value=id />
                <button type="submit" class="button" disabled=move || replay.pending().get()>
                    "Replay"
                </button>
            </ActionForm>
        }
    });
    let phone = if event.phone.is_empty() {
        format!("batch summary ({} messages)", detail.count)
    } else {
        event.phone.clone()
    };
    let title = format!("{kind_label} for {}", event.uid);

    view! {
        <header class="page-header">
            <h1>{title}</h1>
            <p class="chips">
                <span class=format!("chip {kind_class}")>{kind_label}</span>
                " "
                <span class=format!("chip {state_class}")>{state_label}</span>
            </p>
        </header>
        {problem}
        {replay_form}
        <section class="panel" aria-labelledby="event-ids">
            <h2 class="panel__title" id="event-ids">
                "Identifiers"
            </h2>
            <dl class="facts">
                <dt>"Tenant"</dt>
                <dd>
                    <a href=format!(
                        "/tenants/{}?tab=activity",
                        detail.app_key,
                    )>{format!("{} ({})", detail.tenant_name, detail.app_key)}</a>
                </dd>
                <Copyable label="Event id" value=event.id.to_string() />
                <Copyable label="uid (customer_id)" value=event.uid.clone() />
                <Copyable label="Batch id" value=event.batch_id.clone() />
                <dt>"Phone"</dt>
                <dd class="mono">{phone}</dd>
                <dt>"Category"</dt>
                <dd>{event.category.clone().unwrap_or_else(|| "none".into())}</dd>
                <dt>"Sinch status"</dt>
                <dd>{format!("{} (code {})", event.sinch_status, event.sinch_code)}</dd>
                <dt>"Operator"</dt>
                <dd class="mono">
                    {detail.operator.clone().unwrap_or_else(|| "not given".into())}
                </dd>
                <dt>"Reported by Sinch"</dt>
                <dd>
                    <When at=detail.reported_at.clone() />
                </dd>
                <dt>"Forwarded"</dt>
                <dd>
                    {match (detail.forwarded_at.clone(), detail.next_attempt_at.clone()) {
                        (Some(at), _) => view! { <When at /> }.into_any(),
                        (None, Some(at)) => {
                            view! {
                                "not yet; next attempt "
                                <When at />
                            }
                                .into_any()
                        }
                        (None, None) => "no".into_any(),
                    }}
                </dd>
            </dl>
        </section>
        <Timeline steps=detail.timeline.clone() />
        <section class="panel" aria-labelledby="event-report">
            <h2 class="panel__title" id="event-report">
                "The report Sinch sent"
            </h2>
            <dl class="facts">
                <dt>"Received"</dt>
                <dd>
                    <When at=detail.report.received_at.clone() />
                </dd>
                <dt>"Type"</dt>
                <dd class="mono">{detail.report.report_type.clone()}</dd>
                <dt>"client_reference"</dt>
                <dd class="mono">
                    {match (detail.report.client_reference.clone(), detail.report.body.is_ok()) {
                        (Some(reference), _) => reference,
                        (None, true) => "none".to_owned(),
                        (None, false) => "not available without the raw report".to_owned(),
                    }}
                </dd>
            </dl>
            {match detail.report.body.clone() {
                Ok(body) => {
                    view! {
                        <pre class="code-block" aria-label="The report as received">
                            <code>{body}</code>
                        </pre>
                    }
                        .into_any()
                }
                Err(why) => {
                    view! {
                        <p class="empty-note" role="note">
                            {why}
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
        <section class="panel" aria-labelledby="event-request">
            <h2 class="panel__title" id="event-request">
                "The request to MoEngage"
            </h2>
            <p class="panel__lede">
                <span class="mono">{format!("POST {}", detail.request.url)}</span>
                " — events of the same uid forwarded together share one request; this is this event's part."
            </p>
            <pre class="code-block" aria-label="The MoEngage request body">
                <code>{detail.request.body.clone()}</code>
            </pre>
        </section>
        <Attempts attempts=detail.attempts />
    }
    // Erased, like every large page's body: deep view types slow the wasm build down.
    .into_any()
}

#[component]
fn Copyable(label: &'static str, value: String) -> impl IntoView {
    view! {
        <dt>{label}</dt>
        <dd>
            <span class="mono">{value.clone()}</span>
            " "
            <CopyButton text=value label=format!("Copy the {label}") />
        </dd>
    }
}

#[component]
fn When(at: Moment) -> impl IntoView {
    view! {
        <time datetime=at.iso title=at.exact.clone()>
            {format!("{} ({})", at.relative, at.exact)}
        </time>
    }
}

/// The message's statuses top to bottom, with the time each took after the one before.
#[component]
fn Timeline(steps: Vec<TimelineStep>) -> impl IntoView {
    let items = steps
        .into_iter()
        .map(|step| {
            let gap = step
                .gap
                .map(|gap| view! { <span class="timeline__gap">{gap}</span> });
            let count = (step.count > 1).then(|| format!(" × {}", step.count));
            view! {
                <li class="timeline__step">
                    <strong>{step.status}</strong>
                    {format!(" (code {})", step.code)}
                    {count}
                    " "
                    <time datetime=step.at.iso title=step.at.relative>
                        {step.at.exact}
                    </time>
                    " "
                    {gap}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="event-timeline">
            <h2 class="panel__title" id="event-timeline">
                "The message's statuses"
            </h2>
            <ol class="timeline">{items}</ol>
        </section>
    }
}

#[component]
fn Attempts(attempts: Vec<AttemptView>) -> impl IntoView {
    let body = if attempts.is_empty() {
        view! {
            <p class="empty-note">
                "No attempt yet: events are sent within seconds of arriving, unless forwarding is paused or the event is never forwarded."
            </p>
        }
        .into_any()
    } else {
        let rows = attempts
            .into_iter()
            .map(|attempt| {
                let chip = match attempt.outcome.as_str() {
                    "forwarded" => ("chip--delivered", "Forwarded"),
                    "retry" => ("chip--retrying", "Will retry"),
                    "paused" => ("chip--warn", "Paused"),
                    _ => ("chip--dead", "Dead letter"),
                };
                let status = attempt
                    .http_status
                    .map_or_else(|| "no answer".to_owned(), |status| status.to_string());
                view! {
                    <tr>
                        <td data-label="Attempt" class="num">
                            {attempt.attempt}
                        </td>
                        <td data-label="Time">
                            <time datetime=attempt.at.iso title=attempt.at.relative>
                                {attempt.at.exact}
                            </time>
                        </td>
                        <td data-label="HTTP status" class="num">
                            {status}
                        </td>
                        <td data-label="Latency" class="num">
                            {format!("{} ms", attempt.latency_ms)}
                        </td>
                        <td data-label="Outcome">
                            <span class=format!("chip {}", chip.0)>{chip.1}</span>
                        </td>
                        <td data-label="MoEngage's answer" class="mono cell--long">
                            {attempt.error.unwrap_or_default()}
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <DataTable columns=&[
                "Attempt",
                "Time",
                "HTTP status",
                "Latency",
                "Outcome",
                "MoEngage's answer",
            ]>{rows}</DataTable>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="event-attempts">
            <h2 class="panel__title" id="event-attempts">
                "Forwarding attempts"
            </h2>
            {body}
        </section>
    }
}
