use leptos::prelude::*;

use super::Plot;

const HEIGHT: f64 = 40.0;
const BAR: f64 = 12.0;

/// A small chart of counts per day, one bar each, with the day and count as tooltip.
#[component]
pub fn DailyBars(days: Vec<(String, i64)>, class: &'static str, label: String) -> impl IntoView {
    let width = BAR * days.len().max(1) as f64;
    let summary = days
        .iter()
        .map(|(day, count)| format!("{day}: {count}"))
        .collect::<Vec<_>>()
        .join(", ");
    let (first, last) = (
        days.first().map(|d| d.0.clone()).unwrap_or_default(),
        days.last().map(|d| d.0.clone()).unwrap_or_default(),
    );
    view! {
        <figure class="chart chart--small">
            <Plot
                width
                height=HEIGHT
                markup=markup(&days, class)
                label=format!("{label}: {summary}")
                axis=(first, last)
            />
        </figure>
    }
}

/// The bars as SVG text (see `OutcomeBars` for why not through `view!`).
fn markup(days: &[(String, i64)], class: &str) -> String {
    let max = days.iter().map(|d| d.1).max().unwrap_or(0).max(1);
    days.iter()
        .enumerate()
        .map(|(index, (day, count))| {
            let x = index as f64 * BAR;
            let height = *count as f64 / max as f64 * HEIGHT;
            format!(
                r#"<g><title>{day}: {count}</title><rect class="bar__hit" x="{x}" y="0" width="{BAR}" height="{HEIGHT}"></rect><rect class="bar bar--{class}" x="{}" y="{:.3}" width="{}" height="{height:.3}"></rect></g>"#,
                x + 1.0,
                HEIGHT - height,
                BAR - 2.0
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_day_fills_the_height() {
        let markup = markup(&[("Fri 27".into(), 2), ("Sat 28".into(), 4)], "rejected");
        assert!(markup.contains("<title>Fri 27: 2</title>"));
        assert!(markup.contains(r#"x="13" y="0.000" width="10" height="40.000""#));
        assert!(markup.contains(r#"x="1" y="20.000" width="10" height="20.000""#));
    }
}
