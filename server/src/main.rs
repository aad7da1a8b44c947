//! `dlrhub`: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser;
use server::cli::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match server::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` prints the whole cause chain on one line: "starting: connecting: ...".
            eprintln!("dlrhub: {error:#}");
            ExitCode::FAILURE
        }
    }
}
