//! Plain HTTP endpoints, one module per path, and the middleware every request passes.

pub mod health;
mod request_tracing;
pub mod webhooks;

pub use request_tracing::request_tracing;
