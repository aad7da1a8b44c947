use leptos::prelude::*;

use crate::api::activity::CategoryRate;

/// Delivery rate per category as horizontal bars (delivered share of the messages that
/// reached a final status), with the counts beside them.
#[component]
pub fn CategoryRates(categories: Vec<CategoryRate>) -> impl IntoView {
    if categories.is_empty() {
        return view! {
            <p class="chart__empty">
                "No messages in the last 7 days. Categories come from " <code>"$cat=…"</code>
                " in the client_reference."
            </p>
        }
        .into_any();
    }
    let rows = categories
        .into_iter()
        .map(|category| {
            let percent = category.delivered_percent();
            let width = percent.unwrap_or(0.0);
            let name = if category.category.is_empty() {
                "(no category)".to_owned()
            } else {
                category.category.clone()
            };
            let rate = percent.map_or_else(|| "—".to_owned(), |p| format!("{p:.1} %"));
            view! {
                <li class="rates__row">
                    <span class="rates__name mono">{name}</span>
                    // An SVG's own geometry, not a style attribute: the page's CSP
                    // (style-src 'self') refuses inline styles, which drew every bar full.
                    <svg
                        class="rates__track"
                        viewBox="0 0 100 1"
                        preserveAspectRatio="none"
                        aria-hidden="true"
                    >
                        <rect class="rates__fill" width=format!("{width:.1}") height="1"></rect>
                    </svg>
                    <span class="rates__value num">{rate}</span>
                    <span class="rates__counts num">
                        {format!(
                            "{} delivered · {} failed · {} sent",
                            category.delivered,
                            category.failed,
                            category.sent,
                        )}
                    </span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="rates">{rows}</ul> }.into_any()
}
