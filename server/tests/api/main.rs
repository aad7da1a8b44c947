//! Black-box tests of the HTTP server: each starts the real application on port 0 against a
//! fresh database (created and dropped by `#[sqlx::test]`) and talks to it over HTTP.

mod abuse;
mod access;
mod assets;
mod binary;
mod demo;
mod events;
mod explorer;
mod export;
mod forwarding;
mod forwarding_at_scale;
mod health;
mod helpers;
mod ingest_writer;
mod metrics;
mod pages;
mod read_replica;
mod rejected;
mod retention;
mod search;
mod security;
mod tenant_console;
mod webhook_sinch;
