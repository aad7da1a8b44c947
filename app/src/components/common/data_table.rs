use leptos::prelude::*;

/// A table with a header row of `columns`, scrolling sideways on narrow screens. A column
/// named "Actions" holds buttons and is labelled for screen readers only.
#[component]
pub fn DataTable(columns: &'static [&'static str], children: Children) -> impl IntoView {
    let headers = columns
        .iter()
        .map(|&column| {
            if column == "Actions" {
                view! {
                    <th scope="col">
                        <span class="visually-hidden">{column}</span>
                    </th>
                }
                .into_any()
            } else {
                view! { <th scope="col">{column}</th> }.into_any()
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>{headers}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
