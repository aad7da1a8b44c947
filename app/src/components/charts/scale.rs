//! A chart's value axis: a round top and 3 to 5 evenly spaced ticks, so that a reader can
//! tell 40 from 400 without hovering.

/// The axis for values up to `max`: its top and the ticks from the top down to 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    pub top: f64,
    pub ticks: Vec<f64>,
}

impl Scale {
    /// `whole`: counts, whose steps are never fractions.
    pub fn new(max: f64, whole: bool) -> Self {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            1.0
        };
        // The smallest 1, 2 or 5 × 10^k step that covers max in at most four intervals.
        let mut magnitude = 10f64.powf((max / 4.0).log10().floor());
        if whole {
            magnitude = magnitude.max(1.0);
        }
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|factor| factor * magnitude)
            .find(|step| step * 4.0 >= max)
            .unwrap_or(10.0 * magnitude);
        let intervals = (max / step).ceil().max(2.0) as usize;
        let top = step * intervals as f64;
        let ticks = (0..=intervals).rev().map(|i| step * i as f64).collect();
        Self { top, ticks }
    }

    /// Where `value` sits in a plot `height` tall (0 at the top).
    pub fn y(&self, value: f64, height: f64) -> f64 {
        height - (value / self.top).clamp(0.0, 1.0) * height
    }

    /// Horizontal gridlines across a plot `width` × `height`, as SVG text.
    pub fn gridlines(&self, width: f64, height: f64) -> String {
        self.ticks
            .iter()
            .map(|tick| {
                let y = self.y(*tick, height);
                format!(r#"<line class="chart__grid" x1="0" x2="{width}" y1="{y:.3}" y2="{y:.3}"></line>"#)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_round_whole_ticks() {
        assert_eq!(Scale::new(7.0, true).ticks, [8.0, 6.0, 4.0, 2.0, 0.0]);
        assert_eq!(Scale::new(1.0, true).ticks, [2.0, 1.0, 0.0]);
        assert_eq!(
            Scale::new(380.0, true).ticks,
            [400.0, 300.0, 200.0, 100.0, 0.0]
        );
        assert_eq!(Scale::new(0.0, true).ticks, [2.0, 1.0, 0.0]);
    }

    #[test]
    fn percentages_and_times_get_three_to_five_ticks() {
        for max in [0.3, 4.2, 97.0, 100.0, 1234.0, 61_000.0] {
            let scale = Scale::new(max, false);
            assert!(scale.top >= max, "{max}: {scale:?}");
            assert!((3..=5).contains(&scale.ticks.len()), "{max}: {scale:?}");
            assert_eq!(scale.ticks.last(), Some(&0.0));
        }
        assert_eq!(Scale::new(100.0, false).top, 100.0);
    }

    #[test]
    fn values_are_placed_from_the_bottom() {
        let scale = Scale::new(8.0, true);
        assert_eq!(scale.y(0.0, 120.0), 120.0);
        assert_eq!(scale.y(8.0, 120.0), 0.0);
        assert_eq!(scale.y(4.0, 120.0), 60.0);
    }
}
