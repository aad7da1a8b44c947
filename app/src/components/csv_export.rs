//! "Export CSV": a plain link to the streamed file (the browser downloads it natively, to
//! disk, whatever its size), and, once the page is hydrated, the export's progress in the
//! page: the link names the export with a random id and the page asks the server how far
//! that export has got.

use std::time::Duration;

use leptos::prelude::*;

use crate::api::exports::{export_progress, ExportState};

/// How often a running export is asked about.
const POLL: Duration = Duration::from_millis(700);
/// Polls without a sign of the export before the page stops waiting for it (about 10 s):
/// the server refused the file, or the browser did not ask for it.
const PATIENCE: u32 = 15;

/// `href`: the file's URL with the current filters (it already has a query string).
#[component]
pub fn CsvExport(#[prop(into)] href: Signal<String>) -> impl IntoView {
    // The id the next click will use; only the hydrated page has one.
    let next_id = RwSignal::new(None::<String>);
    let running = RwSignal::new(None::<String>);
    Effect::new(move |_| next_id.set(new_id()));
    let link = move || match next_id.get() {
        Some(id) => format!("{}&export={id}", href.get()),
        None => href.get(),
    };
    let start = move |_| {
        if let Some(id) = next_id.get_untracked() {
            running.set(Some(id));
            // A new id for the next export, once this click has started the download.
            set_timeout(move || next_id.set(new_id()), Duration::from_millis(50));
        }
    };
    view! {
        <a class="button--quiet" href=link download="" on:click=start>
            "Export CSV"
        </a>
        {move || running.get().map(|id| view! { <ExportStatus id /> })}
    }
}

/// 12 random bytes as hex, from the browser's cryptographic generator.
fn new_id() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let mut bytes = [0_u8; 12];
        web_sys::window()?
            .crypto()
            .ok()?
            .get_random_values_with_u8_array(&mut bytes)
            .ok()?;
        Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// One export's progress, asked about until it has finished.
#[component]
fn ExportStatus(id: String) -> impl IntoView {
    let tick = RwSignal::new(0_u32);
    let state = LocalResource::new(move || {
        tick.track();
        export_progress(id.clone())
    });
    let finished = Memo::new(move |_| {
        state
            .get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|now| now.finished)
    });
    let never_started =
        Memo::new(move |_| tick.get() >= PATIENCE && matches!(state.get(), Some(Ok(None))));
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if !finished.get_untracked() && !never_started.get_untracked() {
                    tick.update(|n| *n += 1);
                }
            },
            POLL,
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    move || {
        match state.get() {
        Some(Ok(None)) if never_started.get() => view! {
            <p class="notice notice--error export-progress" role="alert">
                "The export did not start. If no file is downloading, the filters may not be readable: see the list below."
            </p>
        }
        .into_any(),
        None | Some(Ok(None)) => view! {
            <div class="notice export-progress" role="status">
                <p>"Preparing the export…"</p>
                <progress aria-label="Export progress"></progress>
            </div>
        }
        .into_any(),
        Some(Ok(Some(now))) => view! { <ExportReport now /> }.into_any(),
        Some(Err(error)) => view! {
            <p class="notice notice--error" role="alert">
                {format!("Could not follow the export: {error}")}
            </p>
        }
        .into_any(),
    }
    }
}

#[component]
fn ExportReport(now: ExportState) -> impl IntoView {
    let rows = match now.rows {
        1 => "1 row".to_owned(),
        many => format!("{} rows", grouped(many)),
    };
    if let Some(failure) = now.failure {
        return view! {
            <p class="notice notice--error export-progress" role="alert">
                {format!("The export stopped after {rows}: {failure}.")}
            </p>
        }
        .into_any();
    }
    if now.finished {
        return view! {
            <p class="notice export-progress" role="status">
                {format!("Exported {rows}. The file is in your downloads.")}
            </p>
        }
        .into_any();
    }
    let reached = now
        .reached
        .map(|at| format!(", back to {at}"))
        .unwrap_or_default();
    view! {
        <div class="notice export-progress" role="status">
            <p>{format!("Exporting: {rows} so far{reached} ({}% of the period).", now.percent)}</p>
            <progress max="100" value=now.percent.to_string() aria-label="Export progress">
                {format!("{}%", now.percent)}
            </progress>
        </div>
    }
    .into_any()
}

/// 45210 → "45,210".
fn grouped(number: i64) -> String {
    let digits = number.unsigned_abs().to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if number < 0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(45_210), "45,210");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(-1000), "-1,000");
    }
}
