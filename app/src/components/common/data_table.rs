use leptos::prelude::*;

/// A table with a header row of `columns`, scrolling sideways on narrow screens. A column
/// named "Actions" holds buttons and is labelled for screen readers only.
///
/// The scrolling box takes keyboard focus (arrow keys then scroll it), so that a table
/// without links can still be read to its last column without a mouse; as a focusable
/// box it is a region, named for screen readers.
#[component]
pub fn DataTable(#[prop(into)] columns: Vec<&'static str>, children: Children) -> impl IntoView {
    let headers = columns
        .into_iter()
        .map(|column| {
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
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table, scrolls sideways">
            <table class="table">
                <thead>
                    <tr>{headers}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
