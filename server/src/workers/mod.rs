//! Background work that runs inside `dlrhub serve` beside the HTTP server, and stops with
//! it: the webhook's group-commit writers and the retention job; the forwarding workers
//! join them.

pub mod ingest_writer;
pub mod retention;
