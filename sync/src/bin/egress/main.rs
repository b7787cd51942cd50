//! `egress`: see and test how egress routes HTTP(S) through forward proxies.
//!
//! - `egress route URL… [--json]`: the route for each URL and why, without connecting;
//! - `egress get URL`: fetch through that route with curl's flags (methods, bodies, retries,
//!   `-w json`; `-v` shows every phase with its timing, `-vv` the library's log);
//! - `egress check [URL]`: validate the proxy variables and diagnose a connection.
//!
//! Exit codes (also in `egress --help`): 0 success, 1 other failure, 2 usage error,
//! 3 configuration error, 4 proxy failure, 5 target failure (HTTP >= 400 with `-f`).
//! Credentials in proxy and target URLs are never printed.

mod check;
mod cli;
mod diagnose;
mod exit;
mod get;
mod get_args;
mod logger;
mod output;
mod parse;
mod phases;
mod redact;
mod request;
mod retry;
mod route;
mod setup;
mod write_out;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbose = match &cli.command {
        Command::Get(args) => args.verbose,
        _ => 0,
    };
    logger::install(verbose);
    let result = match &cli.command {
        Command::Route(args) => route::run(args, &mut std::io::stdout().lock()),
        Command::Get(args) => get::run(args),
        Command::Check(args) => check::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Empty with `get -s`: the exit code says it all.
            if !failure.message.is_empty() {
                eprintln!("egress: {failure}");
            }
            failure.exit.code()
        }
    }
}
