//! Simulators of the services dlrhub talks to, for tests, benchmarks and demos.
//!
//! - `dlrhub sim sinch`: Sinch sending delivery reports to a callback URL, as a load
//!   generator with realistic traffic (status sequences, batch reports, retries, missing
//!   uids, malformed bodies).
//! - `dlrhub sim moengage`: MoEngage's Data API, with its validation, limits and faults.

pub mod moengage;
pub mod sinch;
pub(crate) mod sinch_traffic;
pub(crate) mod stats;
