use leptos::prelude::*;

use super::{Numbers, Plot, Scale};
use crate::api::activity::HourPoint;

/// The series of a bar, bottom to top, with their CSS class and legend label.
const SERIES: [(&str, &str); 4] = [
    ("delivered", "SMS Delivered"),
    ("failed", "SMS Delivery Failed"),
    ("sent", "SMS Sent"),
    ("rejected", "Rejected"),
];

fn values(point: &HourPoint) -> [i64; 4] {
    [point.delivered, point.failed, point.sent, point.rejected]
}

const HEIGHT: f64 = 120.0;
const BAR: f64 = 10.0;

/// Events per hour by outcome, stacked, one bar per hour; each bar's tooltip has the exact
/// hour and its counts. Quiet windows say so instead of drawing nothing.
#[component]
pub fn OutcomeBars(hours: Vec<HourPoint>, label: String) -> impl IntoView {
    let max = hours
        .iter()
        .map(|point| values(point).iter().sum::<i64>())
        .max()
        .unwrap_or(0);
    let totals: [i64; 4] = hours.iter().fold([0; 4], |mut sum, point| {
        for (total, value) in sum.iter_mut().zip(values(point)) {
            *total += value;
        }
        sum
    });
    let legend = SERIES
        .iter()
        .zip(totals)
        .map(|((class, name), total)| {
            view! {
                <li>
                    <span class=format!("swatch swatch--{class}") aria-hidden="true"></span>
                    {*name}
                    " "
                    <span class="num">{total}</span>
                </li>
            }
        })
        .collect_view();
    let (first, last) = (
        hours.first().map(|p| p.label.clone()).unwrap_or_default(),
        hours.last().map(|p| p.label.clone()).unwrap_or_default(),
    );
    let width = BAR * hours.len().max(1) as f64;
    let scale = Scale::new(max as f64, true);
    let ticks = scale
        .ticks
        .iter()
        .map(|tick| format!("{tick:.0}"))
        .collect();
    let bars = scale.gridlines(width, HEIGHT) + &bars_markup(&hours, &scale);
    let numbers = Numbers {
        columns: std::iter::once("Hour")
            .chain(SERIES.iter().map(|(_, name)| *name))
            .collect(),
        rows: hours
            .iter()
            .filter(|point| values(point).iter().any(|value| *value != 0))
            .map(|point| {
                std::iter::once(point.exact.clone())
                    .chain(values(point).iter().map(i64::to_string))
                    .collect()
            })
            .collect(),
    };
    let summary = format!(
        "{label}: {} delivered, {} failed, {} sent, {} rejected",
        totals[0], totals[1], totals[2], totals[3]
    );

    view! {
        <figure class="chart">
            {if max == 0 {
                view! { <p class="chart__empty">"No events in this period."</p> }.into_any()
            } else {
                view! {
                    <Plot
                        width
                        height=HEIGHT
                        markup=bars
                        label=summary
                        axis=(first, last)
                        ticks
                        numbers
                    />
                }
                    .into_any()
            }} <figcaption>
                <ul class="chart__legend">{legend}</ul>
            </figcaption>
        </figure>
    }
}

/// The bars as SVG markup. Written as text rather than through `view!`: an SVG `<title>`
/// (the tooltip) built by the view macro outside its `<svg>` is taken for the HTML
/// `<title>` element, and the page then fails to hydrate.
fn bars_markup(hours: &[HourPoint], scale: &Scale) -> String {
    let mut markup = String::new();
    for (index, point) in hours.iter().enumerate() {
        let x = index as f64 * BAR;
        let tip = format!(
            "{}: {} delivered, {} failed, {} sent, {} rejected",
            point.exact, point.delivered, point.failed, point.sent, point.rejected
        );
        // A full-height hit area, so that quiet hours have a tooltip too.
        markup.push_str(&format!(
            r#"<g><title>{}</title><rect class="bar__hit" x="{x}" y="0" width="{BAR}" height="{HEIGHT}"></rect>"#,
            escape(&tip)
        ));
        let mut top = HEIGHT;
        for ((class, _), value) in SERIES.iter().zip(values(point)) {
            if value == 0 {
                continue;
            }
            let height = HEIGHT - scale.y(value as f64, HEIGHT);
            top -= height;
            markup.push_str(&format!(
                r#"<rect class="bar bar--{class}" x="{}" y="{top:.3}" width="{}" height="{height:.3}"></rect>"#,
                x + 1.0,
                BAR - 2.0
            ));
        }
        markup.push_str("</g>");
    }
    markup
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(delivered: i64, failed: i64) -> HourPoint {
        HourPoint {
            label: "Sat 10:00".into(),
            exact: "2026-11-28 10:00 UTC".into(),
            sent: 0,
            delivered,
            failed,
            rejected: 0,
        }
    }

    #[test]
    fn the_busiest_hour_fills_the_height_and_quiet_hours_draw_only_their_tooltip() {
        let markup = bars_markup(
            &[point(3, 1), point(0, 0), point(1, 1)],
            &Scale::new(4.0, true),
        );
        assert_eq!(markup.matches("<g>").count(), 3);
        assert!(markup
            .contains(r#"class="bar bar--delivered" x="1" y="30.000" width="8" height="90.000""#));
        assert!(
            markup.contains(r#"class="bar bar--failed" x="1" y="0.000" width="8" height="30.000""#)
        );
        assert_eq!(
            markup.matches("bar--").count(),
            4,
            "quiet hours draw no bar: {markup}"
        );
        assert!(markup.contains("<title>2026-11-28 10:00 UTC: 0 delivered, 0 failed"));
    }

    #[test]
    fn tooltips_are_escaped() {
        assert_eq!(escape("a<b & c>"), "a&lt;b &amp; c&gt;");
    }
}
