use leptos::prelude::*;

use crate::api::dead_letters::{DiscardDeadLetters, ReplayDeadLetters};

/// Replays a tenant's dead letters: those of `reason`, the `ids` chosen, or (with
/// neither) all of them. Works as a plain form without the wasm.
#[component]
pub fn ReplayForm(
    replay: ServerAction<ReplayDeadLetters>,
    app_key: String,
    #[prop(optional)] reason: String,
    #[prop(optional, into)] ids: Signal<String>,
    #[prop(into)] label: Signal<String>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <ActionForm action=replay attr:class="inline-form">
            <input type="hidden" name="app_key" value=app_key />
            <input type="hidden" name="reason" value=reason />
            <input type="hidden" name="ids" value=move || ids.get() />
            <button
                type="submit"
                class="button"
                disabled=move || disabled.get() || replay.pending().get()
            >
                {move || label.get()}
            </button>
        </ActionForm>
    }
    .into_any()
}

/// Discards dead letters chosen as for [`ReplayForm`], after asking why: the reason stays
/// with them and in the audit log.
#[component]
pub fn DiscardForm(
    discard: ServerAction<DiscardDeadLetters>,
    app_key: String,
    #[prop(optional)] reason: String,
    #[prop(optional, into)] ids: Signal<String>,
    #[prop(into)] label: Signal<String>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <details class="confirm">
            <summary class="button--quiet button--danger" aria-disabled=move || disabled.get()>
                {move || label.get()}
            </summary>
            <ActionForm action=discard attr:class="confirm__body form">
                <input type="hidden" name="app_key" value=app_key />
                <input type="hidden" name="reason" value=reason />
                <input type="hidden" name="ids" value=move || ids.get() />
                <p>
                    "They will not be sent to MoEngage. They stay listed as discarded (each can still be replayed from its page) until retention removes them."
                </p>
                // The input inside its label: a page holds many of these forms.
                <label class="field">
                    <span>"Why? (kept with them and in the audit log)"</span>
                    <input name="note" type="text" required maxlength="500" />
                </label>
                <button
                    type="submit"
                    class="button button--danger"
                    disabled=move || disabled.get() || discard.pending().get()
                >
                    "Discard"
                </button>
            </ActionForm>
        </details>
    }
    .into_any()
}

/// What the last discard did.
#[component]
pub fn DiscardAnswer(discard: ServerAction<DiscardDeadLetters>) -> impl IntoView {
    move || {
        discard.value().get().map(|answer| match answer {
            Ok(count) => view! {
                <p class="notice" role="status">
                    {format!("{count} dead letter{} discarded.", if count == 1 { "" } else { "s" })}
                </p>
            }
            .into_any(),
            Err(error) => view! {
                <p class="notice notice--error" role="alert">
                    {error.to_string()}
                </p>
            }
            .into_any(),
        })
    }
}
