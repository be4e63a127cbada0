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
    /// Apply pending database migrations and exit (the server also does this
    /// when it starts).
    Migrate(DataArgs),
    /// Manage the master key.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Check the mail settings.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Set up organisations and their first administrators (vendor operators).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The security audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Print the API's OpenAPI document (JSON).
    Openapi,
}

/// `zeugnis admin …`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an organisation (tenant) with its Administrator role.
    CreateTenant(CreateTenantArgs),
    /// Invite an Administrator into an organisation: the account is created and
    /// the registration link is mailed (and printed, for when no mail server is
    /// set up yet).
    Invite(InviteArgs),
}

/// Options of `zeugnis admin create-tenant`.
#[derive(Debug, Args)]
pub struct CreateTenantArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Short name for addresses: 2 to 63 of a-z, 0-9 and hyphens.
    #[arg(long)]
    pub slug: String,
    /// The organisation's name.
    #[arg(long)]
    pub name: String,
}

/// Options of `zeugnis admin invite`.
#[derive(Debug, Args)]
pub struct InviteArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// The organisation's short name.
    #[arg(long)]
    pub tenant: String,
    /// The administrator's e-mail address.
    #[arg(long)]
    pub email: String,
    /// First name.
    #[arg(long)]
    pub first_name: String,
    /// Last name.
    #[arg(long)]
    pub last_name: String,
}

/// `zeugnis audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no audit entry was changed, removed or inserted: verifies each
    /// organisation's hash chain and names the first broken entry. Exits with 1
    /// when a chain is broken.
    Verify(AuditVerifyArgs),
}

/// Options of `zeugnis audit verify`.
#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Only this organisation (short name); default: every one.
    #[arg(long)]
    pub tenant: Option<String>,
}

/// `zeugnis mail …`
#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Send a test mail now, directly (not through the outbox), and report what
    /// the mail server answered. Without an SMTP server the mail goes to the
    /// mail folder.
    Test(MailTestArgs),
}

/// Options of `zeugnis mail test`.
#[derive(Debug, Args)]
pub struct MailTestArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Where the test mail goes.
    #[arg(value_name = "ADDRESS")]
    pub to: String,
}

/// Where the data is, for commands that only touch the database.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Directory for the server's data [env: ZEUGNIS_DATA_DIR]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// `zeugnis keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Re-wrap every tenant's data key under a new master key. The server may
    /// keep running (see docs/keys.md for several instances).
    Rotate(RotateArgs),
}

/// Options of `zeugnis keys rotate`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// The new master key (base64 in a file); without it a new key is generated
    /// and replaces the current key file, the old one is kept beside it.
    #[arg(long, value_name = "FILE")]
    pub new_key_file: Option<PathBuf>,
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
        Command::Migrate(args) => migrate(cli.config.as_deref(), &args),
        Command::Keys(KeysCommand::Rotate(args)) => rotate(cli.config.as_deref(), &args),
        Command::Mail(MailCommand::Test(args)) => mail_test(cli.config.as_deref(), &args),
        Command::Admin(AdminCommand::CreateTenant(args)) => {
            crate::admin::create_tenant(cli.config.as_deref(), &args)
        }
        Command::Admin(AdminCommand::Invite(args)) => {
            crate::admin::invite(cli.config.as_deref(), &args)
        }
        Command::Audit(AuditCommand::Verify(args)) => {
            crate::admin::audit_verify(cli.config.as_deref(), &args)
        }
        Command::Openapi => {
            writeln!(std::io::stdout().lock(), "{}", crate::api::openapi_json())?;
            Ok(())
        }
    }
}

/// Loads the configuration for a database command and starts logging.
pub(crate) fn load_for(
    config_file: Option<&Path>,
    data: &DataArgs,
) -> anyhow::Result<crate::config::Config> {
    let overrides = Overrides {
        listen: None,
        data_dir: data.data_dir.clone(),
    };
    let loaded = Config::load(config_file, &overrides)?;
    telemetry::init(&loaded.config.log)?;
    for unknown in &loaded.unknown_keys {
        tracing::warn!("{unknown}");
    }
    crate::startup::prepare_data_dir(&loaded.config.data_dir)?;
    Ok(loaded.config)
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn migrate(config_file: Option<&Path>, args: &DataArgs) -> anyhow::Result<()> {
    let config = load_for(config_file, args)?;
    runtime()?.block_on(async {
        // Opening applies the migrations and checks the master key.
        let store = crate::storage::open(&config).await?;
        let _ = store.close().await;
        anyhow::Ok(())
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "the database schema is up to date")?;
    Ok(())
}

fn rotate(config_file: Option<&Path>, args: &RotateArgs) -> anyhow::Result<()> {
    let config = load_for(config_file, &args.data)?;
    let done = runtime()?.block_on(crate::storage::rotate(
        &config,
        args.new_key_file.as_deref(),
    ))?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "re-wrapped {} tenant key(s) under master key {} ({})",
        done.rewrapped,
        done.new_id,
        done.new_key.display()
    )?;
    match &done.retired {
        Some(old) => writeln!(
            out,
            "the old master key is kept in {}: keep it while backups made before now may need restoring, then destroy it; back up the new key now",
            old.display()
        )?,
        None => writeln!(
            out,
            "configure {} as the master key of every instance (keys.master_key_file or {}), then restart them",
            done.new_key.display(),
            crate::storage::MASTER_KEY_ENV
        )?,
    }
    Ok(())
}

fn mail_test(config_file: Option<&Path>, args: &MailTestArgs) -> anyhow::Result<()> {
    let to = zeugnis_core::values::Email::parse(&args.to)
        .map_err(|e| anyhow::anyhow!("{:?} is not an e-mail address: {e}", args.to))?;
    let config = load_for(config_file, &args.data)?;
    let report = runtime()?.block_on(crate::delivery::send_test_mail(&config, to))?;
    writeln!(std::io::stdout().lock(), "{report}")?;
    Ok(())
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
