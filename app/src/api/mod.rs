//! Server functions, one module per domain. Each takes what it needs (the pool, later the
//! session) from the context the server provides for every request.

pub mod system;
