//! Admin access for the console.
//!
//! Its own crate because three callers share it inside one process: the server's sign-in
//! routes and request middleware, the operator CLI (`dlrhub user ...`) and the app's
//! server functions (Users page, change password). Each caller gets the same password
//! policy, the same session rules and the same audit entries.
//!
//! - `password`: argon2id hashing on blocking threads, behind a semaphore.
//! - `session`: what a session remembers and when it ends; `session_store` keeps it.
//! - `principal`: the signed-in user of a request and what they may see.
//! - `sign_in`: checking a password under the throttle.
//! - `users`: the audited changes to users.
//! - `tenants`: the audited changes to tenants (and replays of their events).

pub mod password;
pub mod principal;
pub mod session;
pub mod session_store;
pub mod sign_in;
pub mod tenants;
pub mod users;

pub use password::Passwords;
pub use principal::{Principal, TenantScope};
pub use session::SessionPolicy;
