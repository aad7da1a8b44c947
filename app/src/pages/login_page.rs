use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// One centred card. The form posts to `/auth/login`, which answers with a redirect: back
/// here with `error` (and `retry_in` seconds when throttled), or on to `next`. Works
/// without the wasm bundle. Errors stay generic.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.with_untracked(|q| q.get(name)).unwrap_or_default();
    let next = param("next");
    let retry_in = param("retry_in").parse::<u64>().ok();
    let message = match param("error").as_str() {
        "invalid" => Some(match retry_in {
            Some(seconds) => format!(
                "Wrong email or password. Too many failed attempts: try again in {}.",
                wait_text(seconds)
            ),
            None => "Wrong email or password.".to_owned(),
        }),
        "throttled" => Some(format!(
            "Too many failed attempts. Try again in {}.",
            wait_text(retry_in.unwrap_or(60))
        )),
        "unavailable" => {
            Some("Signing in is not possible right now. Try again in a moment.".to_owned())
        }
        _ => None,
    };
    let notice = match param("signed_out").as_str() {
        "here" => Some("You are signed out."),
        "everywhere" => Some("You are signed out on every device."),
        _ => None,
    };

    view! {
        <Title text="Sign in" />
        <main class="login">
            <section class="login__card" aria-labelledby="login-title">
                <p class="login__brand">
                    <span class="sidebar__logo" aria-hidden="true">
                        "◆"
                    </span>
                    " dlrhub"
                </p>
                <h1 id="login-title">"Sign in"</h1>
                {notice
                    .map(|notice| {
                        view! {
                            <p class="notice" role="status">
                                {notice}
                            </p>
                        }
                    })}
                {message
                    .map(|message| {
                        view! {
                            <p class="notice notice--error" role="alert" id="login-error">
                                {message}
                            </p>
                        }
                    })}
                <form method="post" action="/auth/login" class="form">
                    <input type="hidden" name="next" value=next />
                    <div class="field">
                        <label for="email">"Email"</label>
                        <input
                            id="email"
                            name="email"
                            type="email"
                            autocomplete="username"
                            required
                            autofocus
                        />
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input
                            id="password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            required
                        />
                    </div>
                    <button type="submit" class="button button--wide">
                        "Sign in"
                    </button>
                </form>
                <p class="login__help">"Forgot your password? Ask an admin to reset it."</p>
            </section>
        </main>
    }
}

fn wait_text(seconds: u64) -> String {
    match seconds {
        0..=1 => "a second".to_owned(),
        2..=90 => format!("{seconds} seconds"),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    }
}
