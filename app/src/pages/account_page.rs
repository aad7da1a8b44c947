use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::forms::form_errors;
use crate::api::session::ChangePassword;
use crate::components::common::{Confirm, PasswordField};
use crate::signed_in::signed_in;

/// The signed-in user's own page: who they are, changing their password, and signing out
/// on every device.
#[component]
pub fn AccountPage() -> impl IntoView {
    let me = signed_in().0;
    let change = ServerAction::<ChangePassword>::new();
    let errors = Signal::derive(move || form_errors(change.value().get()));
    let changed = move || matches!(change.value().get(), Some(Ok(())));
    let failed = move || {
        change
            .value()
            .get()
            .and_then(|value| value.err())
            // Wrong input is shown beside its field.
            .filter(|error| error.fields().is_none())
            .map(|error| error.to_string())
    };

    view! {
        <Title text="Account" />
        <header class="page-header">
            <h1>"Account"</h1>
            {me
                .map(|me| {
                    view! {
                        <p class="page-header__lede">
                            "Signed in as " <span class="mono">{me.email}</span> " ("
                            {me.role.label()} ")."
                        </p>
                    }
                })}
        </header>

        <section class="panel" aria-labelledby="password-title">
            <h2 class="panel__title" id="password-title">
                "Change password"
            </h2>
            <p class="panel__lede">
                "At least 12 characters, and not your email. Your other sessions end; this one stays signed in."
            </p>
            <ActionForm action=change attr:class="form form--narrow">
                <PasswordField
                    field="current_password"
                    label="Current password"
                    autocomplete="current-password"
                    errors
                />
                <PasswordField
                    field="new_password"
                    label="New password"
                    autocomplete="new-password"
                    errors
                />
                <PasswordField
                    field="confirm_password"
                    label="New password again"
                    autocomplete="new-password"
                    errors
                />
                <button
                    type="submit"
                    class="button"
                    disabled=move || change.pending().get()
                    aria-busy=move || change.pending().get().to_string()
                >
                    {move || if change.pending().get() { "Changing…" } else { "Change password" }}
                </button>
                <Show when=changed>
                    <p class="notice" role="status">
                        "Password changed. Your other sessions have ended."
                    </p>
                </Show>
                {move || {
                    failed()
                        .map(|error| {
                            view! {
                                <p class="notice notice--error" role="alert">
                                    {error}
                                </p>
                            }
                        })
                }}
            </ActionForm>
        </section>

        <section class="panel" aria-labelledby="sessions-title">
            <h2 class="panel__title" id="sessions-title">
                "Sessions"
            </h2>
            <p class="panel__lede">
                "Lost a laptop, or signed in on a shared computer? Sign out on every device, this one included."
            </p>
            <Confirm summary="Sign out everywhere…">
                <form method="post" action="/auth/logout-everywhere" class="confirm__body">
                    <p>
                        "Every session of yours ends now, here too. You will need your password to sign in again."
                    </p>
                    <button type="submit" class="button button--danger">
                        "Sign out on every device"
                    </button>
                </form>
            </Confirm>
        </section>
    }
}
