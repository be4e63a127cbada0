//! The `zeugnis` binary.

use std::process::ExitCode;

use clap::Parser as _;
use zeugnis_app::cli::{self, Cli};

fn main() -> ExitCode {
    match cli::run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => cli::report(&error),
    }
}
