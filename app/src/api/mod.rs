//! Server functions, one module per domain. Each takes what it needs (the pool, the
//! signed-in user) from the context the server provides for every request, and checks
//! the user's role before anything else (`access`).

#[cfg(feature = "ssr")]
pub mod access;
pub mod activity;
pub mod audit;
pub mod dead_letters;
pub mod demo;
pub mod error;
pub mod event_detail;
pub mod events;
pub mod exports;
pub mod filter_options;
pub mod forms;
#[cfg(feature = "ssr")]
pub mod paging;
pub mod probes;
pub mod rejected;
pub mod search;
pub mod self_checks;
pub mod session;
pub mod system;
pub mod tenant_settings;
pub mod tenants;
pub mod users;
