use leptos::prelude::*;

use crate::components::common::DataTable;

/// The numbers a chart draws, for those who cannot hover it: one row per point that has
/// any (a week of hours is mostly empty), its exact time first, then a column per series.
pub struct Numbers {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// A chart's drawing: SVG `markup` in a `width` × `height` box stretched to the figure's
/// width, its text alternative, the value axis's tick labels (top first) beside it and the
/// first and last labels of its x axis below. The labels are HTML rather than SVG text,
/// which the stretched box would distort; with equal spacing they meet the gridlines.
///
/// A point's exact value and time is its SVG tooltip under the mouse; for the keyboard and
/// screen readers the same numbers are a table below, closed until asked for.
#[component]
pub fn Plot(
    width: f64,
    height: f64,
    markup: String,
    label: String,
    axis: (String, String),
    ticks: Vec<String>,
    numbers: Numbers,
) -> impl IntoView {
    let ticks = ticks
        .into_iter()
        .map(|tick| view! { <span>{tick}</span> })
        .collect_view();
    view! {
        <div class="chart__frame">
            <div class="chart__y" aria-hidden="true">
                {ticks}
            </div>
            <svg
                class="chart__plot"
                viewBox=format!("0 0 {width} {height}")
                preserveAspectRatio="none"
                role="img"
                aria-label=label
                inner_html=markup
            ></svg>
            <div class="chart__axis" aria-hidden="true">
                <span>{axis.0}</span>
                <span>{axis.1}</span>
            </div>
        </div>
        <NumbersTable numbers />
    }
}

#[component]
fn NumbersTable(numbers: Numbers) -> impl IntoView {
    let Numbers { columns, rows } = numbers;
    let labels = columns.clone();
    let rows = rows
        .into_iter()
        .map(|row| {
            let cells = row
                .into_iter()
                .zip(labels.iter().copied())
                .map(|(cell, column)| view! { <td data-label=column>{cell}</td> })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <details class="chart__numbers">
            <summary>"The numbers (empty periods left out)"</summary>
            <DataTable columns>{rows}</DataTable>
        </details>
    }
}
