//! `egress`: see and test how egress routes HTTP(S) through forward proxies.
//!
//! - `egress route URL… [--json]`: the route for each URL and why, without connecting;
//! - `egress get URL`: fetch through that route (`-v` shows every phase with its timing);
//! - `egress check [URL]`: validate the proxy variables and diagnose a connection.
//!
//! Exit codes (also in `egress --help`): 0 success, 1 other failure, 2 usage error,
//! 3 configuration error, 4 proxy failure, 5 target failure (HTTP >= 400 with `--fail`).
//! Credentials in proxy URLs are never printed.

mod check;
mod cli;
mod diagnose;
mod exit;
mod get;
mod phases;
mod route;
mod setup;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Route(args) => route::run(args, &mut std::io::stdout().lock()),
        Command::Get(args) => get::run(args),
        Command::Check(args) => check::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("egress: {failure}");
            failure.exit.code()
        }
    }
}
