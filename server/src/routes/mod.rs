//! Plain HTTP endpoints, one module per path, and the middleware every request passes.

pub mod access;
pub mod assets;
pub mod export;
pub mod health;
pub mod metrics;
mod request_tracing;
pub mod same_origin;
pub mod security_headers;
pub mod webhooks;

pub use request_tracing::request_tracing;
