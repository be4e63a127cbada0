//! The `zeugnis` command line.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::config::{CONFIG_FILE_ENV, Config, Overrides};
use crate::startup::Application;
use crate::telemetry;

/// Writes German employment references (Arbeitszeugnisse).
#[derive(Debug, Parser)]
#[command(
    name = "zeugnis",
    version,
    propagate_version = true,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Config file [default: zeugnis.toml in the working directory, if present]
    #[arg(long, global = true, value_name = "FILE", env = CONFIG_FILE_ENV)]
    pub config: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
}

/// Options of `zeugnis serve`; they beat the config file and the environment.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 [env: ZEUGNIS_LISTEN]
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// Directory for the server's data, created when missing [env: ZEUGNIS_DATA_DIR]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// Runs a parsed command line.
///
/// # Errors
///
/// Whatever stopped the command; [`report`] prints it.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(cli.config.as_deref(), args),
    }
}

fn serve(config_file: Option<&Path>, args: ServeArgs) -> anyhow::Result<()> {
    let overrides = Overrides {
        listen: args.listen,
        data_dir: args.data_dir,
    };
    let loaded = Config::load(config_file, &overrides)?;
    telemetry::init(&loaded.config.log)?;
    for unknown in &loaded.unknown_keys {
        tracing::warn!("{unknown}");
    }
    match &loaded.file {
        Some(file) => tracing::info!("read config file {}", file.display()),
        None => tracing::info!("no config file, using defaults and environment"),
    }
    tracing::debug!(config = ?loaded.config, "configuration");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let app = Application::build(loaded.config).await?;
        app.run_until_stopped().await.context("server failed")
    })
}

/// Prints `error` and its causes on one line to stderr and returns the exit code
/// for a failure.
#[must_use]
pub fn report(error: &anyhow::Error) -> ExitCode {
    // Nothing sensible is left to do when stderr is gone.
    let _ = writeln!(std::io::stderr().lock(), "error: {error:#}");
    ExitCode::FAILURE
}
