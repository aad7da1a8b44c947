use leptos::prelude::*;

use super::{Numbers, Plot, Scale};

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
    let scale = Scale::new(days.iter().map(|d| d.1).max().unwrap_or(0) as f64, true);
    // 48 pixels hold three labels: the top, the middle (when it is a tick) and zero; the
    // others stay as blanks, so that the labels keep their places beside the gridlines.
    let bottom = scale.ticks.len() - 1;
    let ticks: Vec<String> = scale
        .ticks
        .iter()
        .enumerate()
        .map(|(i, tick)| {
            let shown = i == 0 || i == bottom || (bottom.is_multiple_of(2) && i == bottom / 2);
            if shown {
                format!("{tick:.0}")
            } else {
                String::new()
            }
        })
        .collect();
    let markup = scale.gridlines(width, HEIGHT) + &markup(&days, class, &scale);
    let numbers = Numbers {
        columns: vec!["Day", "Count"],
        rows: days
            .iter()
            .filter(|(_, count)| *count != 0)
            .map(|(day, count)| vec![day.clone(), count.to_string()])
            .collect(),
    };
    let quiet = days.iter().all(|d| d.1 == 0);
    view! {
        <figure class="chart chart--small">
            {if quiet {
                view! { <p class="chart__empty">"None in this period."</p> }.into_any()
            } else {
                view! {
                    <Plot
                        width
                        height=HEIGHT
                        markup
                        label=format!("{label}: {summary}")
                        axis=(first, last)
                        ticks
                        numbers
                    />
                }
                    .into_any()
            }}
        </figure>
    }
}

/// The bars as SVG text (see `OutcomeBars` for why not through `view!`).
fn markup(days: &[(String, i64)], class: &str, scale: &Scale) -> String {
    days.iter()
        .enumerate()
        .map(|(index, (day, count))| {
            let x = index as f64 * BAR;
            let height = HEIGHT - scale.y(*count as f64, HEIGHT);
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
        let days = [("Fri 27".into(), 2), ("Sat 28".into(), 4)];
        let markup = markup(&days, "rejected", &Scale::new(4.0, true));
        assert!(markup.contains("<title>Fri 27: 2</title>"));
        assert!(markup.contains(r#"x="13" y="0.000" width="10" height="40.000""#));
        assert!(markup.contains(r#"x="1" y="20.000" width="10" height="20.000""#));
    }
}
