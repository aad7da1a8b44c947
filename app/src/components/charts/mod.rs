//! Charts drawn as SVG by the app itself: they render on the server like the rest of the
//! page, need no script to show, and use the status colours of the stylesheet.

mod category_rates;
mod daily_bars;
mod line_chart;
mod outcome_bars;
mod plot;
mod scale;

pub use category_rates::CategoryRates;
pub use daily_bars::DailyBars;
pub use line_chart::{Line, LineChart};
pub use outcome_bars::OutcomeBars;
use plot::{Numbers, Plot};
use scale::Scale;
