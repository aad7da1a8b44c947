//! Charts drawn as SVG by the app itself: they render on the server like the rest of the
//! page, need no script to show, and use the status colours of the stylesheet.

mod category_rates;
mod daily_bars;
mod outcome_bars;

pub use category_rates::CategoryRates;
pub use daily_bars::DailyBars;
pub use outcome_bars::OutcomeBars;
