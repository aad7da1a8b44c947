//! Server functions, one module per domain. Each takes what it needs (the pool, the
//! signed-in user) from the context the server provides for every request, and checks
//! the user's role before anything else (`access`).

#[cfg(feature = "ssr")]
pub mod access;
pub mod audit;
pub mod forms;
pub mod session;
pub mod system;
pub mod tenants;
pub mod users;
