//! Background work that runs inside `dlrhub serve` beside the HTTP server, and stops with
//! it: the webhook's group-commit writers, the forwarding workers, the retention job and
//! the roll-up of the console's hourly counts.

pub mod activity;
pub mod forwarding;
pub mod ingest_writer;
pub mod retention;
