use leptos::prelude::*;

/// A chart's drawing: SVG `markup` in a `width` × `height` box stretched to the figure's
/// width, its text alternative, the value axis's tick labels (top first) beside it and the
/// first and last labels of its x axis below. The labels are HTML rather than SVG text,
/// which the stretched box would distort; with equal spacing they meet the gridlines.
#[component]
pub fn Plot(
    width: f64,
    height: f64,
    markup: String,
    label: String,
    axis: (String, String),
    ticks: Vec<String>,
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
    }
}
