//! Admin access: signing in and out, sessions, throttling, roles, users and the audit log.

mod audit;
mod matrix;
mod operators;
mod sessions;
mod sign_in;
mod tenant_changes;
mod tenant_scope;
mod throttle;
mod users;
