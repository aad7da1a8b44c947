use leptos::prelude::*;

use crate::api::forms::FieldErrors;

/// The message for one field of a form's last answer, shown under the field and tied to it
/// with `aria-describedby` (its id is `<field>-error`).
#[component]
pub fn FieldError(
    #[prop(into)] errors: Signal<Option<FieldErrors>>,
    field: &'static str,
) -> impl IntoView {
    let message = move || errors.get().and_then(|errors| errors.get(field));

    view! {
        <Show when=move || message().is_some()>
            <p class="field__error" id=format!("{field}-error") role="alert">
                {message}
            </p>
        </Show>
    }
}

/// A whole-number input from 1 to `max` with its label and its error.
#[component]
pub fn NumberField(
    field: &'static str,
    label: &'static str,
    value: u32,
    max: u32,
    #[prop(into)] errors: Signal<Option<FieldErrors>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=field>{label}</label>
            <input
                id=field
                name=field
                type="number"
                min="1"
                max=max
                required
                value=value
                aria-describedby=format!("{field}-error")
            />
            <FieldError errors field />
        </div>
    }
}

/// A labelled password input with its error beside it.
#[component]
pub fn PasswordField(
    field: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    #[prop(into)] errors: Signal<Option<FieldErrors>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=field>{label}</label>
            <input
                id=field
                name=field
                type="password"
                autocomplete=autocomplete
                required
                aria-describedby=format!("{field}-error")
            />
            <FieldError errors field />
        </div>
    }
}
