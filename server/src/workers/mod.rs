//! Background work that runs inside `dlrhub serve` beside the HTTP server, and stops with
//! it: the webhook's group-commit writers, the forwarding workers and the retention job.

pub mod forwarding;
pub mod ingest_writer;
pub mod retention;
