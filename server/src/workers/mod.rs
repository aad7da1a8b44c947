//! Background work that runs inside `dlrhub serve` beside the HTTP server, and stops with
//! it: the retention job now; the forwarding workers join it.

pub mod retention;
