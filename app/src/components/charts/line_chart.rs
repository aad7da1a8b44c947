use leptos::prelude::*;

use super::{Numbers, Plot, Scale};

const HEIGHT: f64 = 80.0;
const STEP: f64 = 4.0;

/// A series of a line chart: its CSS class, legend label and one value per point (None
/// where there was nothing to measure: the line breaks there).
pub struct Line {
    pub class: &'static str,
    pub label: &'static str,
    pub values: Vec<Option<f64>>,
}

/// Lines over the same points, scaled to the largest value (or `max` when given); each
/// point's tooltip is its label and every line's value formatted by `unit`.
#[component]
pub fn LineChart(
    lines: Vec<Line>,
    /// Each point's exact label, e.g. "2026-11-28 10:00 UTC".
    points: Vec<String>,
    axis: (String, String),
    label: String,
    #[prop(optional)] max: Option<f64>,
    unit: fn(f64) -> String,
) -> impl IntoView {
    let has_data = lines.iter().any(|l| l.values.iter().any(Option::is_some));
    let legend = lines
        .iter()
        .map(|line| {
            view! {
                <li>
                    <span class=format!("swatch swatch--{}", line.class) aria-hidden="true"></span>
                    {line.label}
                </li>
            }
        })
        .collect_view();
    let width = STEP * points.len().saturating_sub(1).max(1) as f64;
    let scale = scale(&lines, max);
    let ticks = scale.ticks.iter().map(|tick| unit(*tick)).collect();
    let markup = scale.gridlines(width, HEIGHT) + &markup(&lines, &points, &scale, unit);
    let numbers = numbers(&lines, points, unit);
    view! {
        <figure class="chart chart--line">
            {if has_data {
                view! { <Plot width height=HEIGHT markup label axis ticks numbers /> }.into_any()
            } else {
                view! { <p class="chart__empty">"Nothing to measure in this period."</p> }
                    .into_any()
            }} <figcaption>
                <ul class="chart__legend">{legend}</ul>
            </figcaption>
        </figure>
    }
}

/// The value axis: up to `max` when given (100 for a percentage), else the largest value.
fn scale(lines: &[Line], max: Option<f64>) -> Scale {
    let largest = lines
        .iter()
        .flat_map(|l| l.values.iter().flatten())
        .fold(0.0_f64, |a, b| a.max(*b));
    Scale::new(max.unwrap_or(largest), false)
}

/// The same values as a table: a row per point with a value, a column per line.
fn numbers(lines: &[Line], points: Vec<String>, unit: fn(f64) -> String) -> Numbers {
    Numbers {
        columns: std::iter::once("Time")
            .chain(lines.iter().map(|line| line.label))
            .collect(),
        rows: points
            .into_iter()
            .enumerate()
            .filter(|(index, _)| {
                lines
                    .iter()
                    .any(|line| line.values.get(*index).copied().flatten().is_some())
            })
            .map(|(index, point)| {
                std::iter::once(point)
                    .chain(lines.iter().map(|line| shown(line, index, unit)))
                    .collect()
            })
            .collect(),
    }
}

/// A line's value at a point as its tooltip and table show it: "—" where there was none.
fn shown(line: &Line, index: usize, unit: fn(f64) -> String) -> String {
    match line.values.get(index).copied().flatten() {
        Some(value) => unit(value),
        None => "—".to_owned(),
    }
}

/// The lines as SVG text (see `OutcomeBars` for why not through `view!`): a polyline per
/// unbroken run of values, and a full-height hit area per point for its tooltip.
fn markup(lines: &[Line], points: &[String], scale: &Scale, unit: fn(f64) -> String) -> String {
    let y = |value: f64| scale.y(value, HEIGHT);
    let mut out = String::new();
    for line in lines {
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut flush = |run: &mut Vec<(f64, f64)>| {
            if let [(x, y)] = run[..] {
                // A lone point has no segment to draw: a dash one step wide instead.
                *run = vec![(x - STEP / 2.0, y), (x + STEP / 2.0, y)];
            }
            if !run.is_empty() {
                let points: Vec<String> =
                    run.iter().map(|(x, y)| format!("{x:.2},{y:.2}")).collect();
                out.push_str(&format!(
                    r#"<polyline class="line line--{}" points="{}"></polyline>"#,
                    line.class,
                    points.join(" ")
                ));
            }
            run.clear();
        };
        for (index, value) in line.values.iter().enumerate() {
            match value {
                Some(value) => run.push((index as f64 * STEP, y(*value))),
                None => flush(&mut run),
            }
        }
        flush(&mut run);
    }
    for (index, point) in points.iter().enumerate() {
        let values: Vec<String> = lines
            .iter()
            .map(|line| format!("{} {}", line.label, shown(line, index, unit)))
            .collect();
        out.push_str(&format!(
            r#"<g><title>{point}: {}</title><rect class="bar__hit" x="{:.2}" y="0" width="{STEP}" height="{HEIGHT}"></rect></g>"#,
            values.join(", "),
            index as f64 * STEP - STEP / 2.0
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(value: f64) -> String {
        format!("{value:.0} s")
    }

    #[test]
    fn gaps_break_the_line_and_every_point_has_a_tooltip() {
        let lines = [Line {
            class: "p50",
            label: "p50",
            values: vec![Some(2.0), Some(4.0), None, Some(1.0)],
        }];
        let points: Vec<String> = (0..4).map(|h| format!("h{h}")).collect();
        let svg = markup(&lines, &points, &scale(&lines, None), seconds);
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert!(svg.contains(r#"points="0.00,40.00 4.00,0.00""#), "{svg}");
        assert!(svg.contains("<title>h2: p50 —</title>"), "{svg}");
        assert!(svg.contains("<title>h3: p50 1 s</title>"), "{svg}");
        assert!(
            svg.contains(r#"points="10.00,60.00 14.00,60.00""#),
            "a lone point: {svg}"
        );
    }

    #[test]
    fn the_numbers_have_a_row_per_measured_point_and_a_column_per_line() {
        let lines = [
            Line {
                class: "p50",
                label: "p50",
                values: vec![Some(2.0), None, None],
            },
            Line {
                class: "p95",
                label: "p95",
                values: vec![Some(7.0), Some(9.0), None],
            },
        ];
        let points = vec!["h0".into(), "h1".into(), "h2".into()];
        let numbers = numbers(&lines, points, seconds);
        assert_eq!(numbers.columns, ["Time", "p50", "p95"]);
        assert_eq!(
            numbers.rows,
            [["h0", "2 s", "7 s"], ["h1", "—", "9 s"]],
            "h2 had nothing to measure"
        );
    }
}
