use leptos::prelude::*;

/// A chart's drawing: SVG `markup` in a `width` × `height` box stretched to the figure's
/// width, its text alternative, and the first and last labels of its x axis below.
#[component]
pub fn Plot(
    width: f64,
    height: f64,
    markup: String,
    label: String,
    axis: (String, String),
) -> impl IntoView {
    view! {
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
    }
}
