//! The dlrhub server.
//!
//! - `cli` and `commands/`: the `dlrhub` subcommands.
//! - `configuration`: settings from the environment, validated once at start-up.
//! - `startup`: builds the HTTP application (testable on port 0).
//! - `routes/`: plain HTTP endpoints (health now; the Sinch webhook joins them). The console
//!   pages and their server functions live in the `app` crate and are mounted here.
//! - `workers/`: background jobs that run inside `serve`: group-commit writers, forwarding
//!   to MoEngage, retention.
//! - `sim/`: simulators of Sinch and MoEngage for tests, benchmarks and demos.
//! - `telemetry`, `shutdown`: logging and graceful stop.

pub mod cli;
pub mod commands;
pub mod configuration;
pub mod demo;
pub mod probes;
pub mod routes;
pub mod shutdown;
pub mod sim;
pub mod sinch_signature;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod workers;

use cli::{Cli, Command};

/// Runs the subcommand the user asked for; `serve` when none is given.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or_default() {
        Command::Serve => commands::serve::run().await,
        Command::Migrate => commands::migrate::run().await,
        Command::Tenant(command) => commands::tenant::run(command).await,
        Command::Events(command) => commands::events::run(command).await,
        Command::User(command) => commands::user::run(command).await,
        Command::Dev(command) => commands::dev::run(command).await,
        Command::ResealSecrets => commands::secrets::reseal().await,
        Command::Sim(cli::SimCommand::Sinch(args)) => sim::sinch::run(args).await,
        Command::Sim(cli::SimCommand::Moengage(args)) => sim::moengage::run(args).await,
    }
}
