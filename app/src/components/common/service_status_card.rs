use leptos::prelude::*;

use super::LoadError;
use crate::api::system::{get_service_status, DatabaseState, ServiceStatus};

/// Whether the database is reachable and its schema current, with a button to check again.
#[component]
pub fn ServiceStatusCard() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_service_status());
    let checking = RwSignal::new(false);

    view! {
        <section class="panel" aria-labelledby="service-status-title">
            <div class="panel__header">
                <h2 class="panel__title" id="service-status-title">
                    "Service status"
                </h2>
                <button
                    type="button"
                    class="button button--quiet"
                    on:click=move |_| status.refetch()
                    disabled=move || checking.get()
                    aria-busy=move || checking.get().to_string()
                >
                    {move || if checking.get() { "Checking…" } else { "Check again" }}
                </button>
            </div>
            <Transition fallback=StatusSkeleton set_pending=checking.write_only()>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(status) => view! { <StatusList status /> }.into_any(),
                        Err(error) => {
                            view! { <LoadError error what="the service status" /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn StatusList(status: ServiceStatus) -> impl IntoView {
    let (chip, state, schema) = match status.database {
        DatabaseState::Ready { schema_version } => (
            "chip chip--ok",
            "Ready".to_owned(),
            format!("{schema_version} (current)"),
        ),
        DatabaseState::MigrationsPending { pending } => (
            "chip chip--warn",
            "Migrations pending".to_owned(),
            format!("{pending:?} not applied: run `dlrhub migrate`"),
        ),
        DatabaseState::Unreachable { reason } => ("chip chip--bad", reason, "unknown".to_owned()),
    };

    view! {
        <dl class="facts">
            <dt>"Database"</dt>
            <dd>
                <span class=chip>{state}</span>
            </dd>
            <dt>"Schema"</dt>
            <dd class="mono">{schema}</dd>
            <dt>"Version"</dt>
            <dd class="mono">{status.version}</dd>
            <dt>"Checked"</dt>
            <dd>
                <time datetime=status.checked_at.clone() title=status.checked_at>
                    {status.checked_at_text}
                </time>
            </dd>
        </dl>
    }
}

/// Keeps the card's height steady while the status loads.
#[component]
fn StatusSkeleton() -> impl IntoView {
    view! {
        <dl class="facts" aria-busy="true">
            <dt>"Database"</dt>
            <dd>
                <span class="skeleton"></span>
            </dd>
            <dt>"Schema"</dt>
            <dd>
                <span class="skeleton"></span>
            </dd>
            <dt>"Version"</dt>
            <dd>
                <span class="skeleton"></span>
            </dd>
            <dt>"Checked"</dt>
            <dd>
                <span class="skeleton"></span>
            </dd>
        </dl>
    }
}
