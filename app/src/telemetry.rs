//! Logging: `tracing` events as lines on stderr.

use std::io::IsTerminal as _;

use anyhow::{Context as _, anyhow};
use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// Installs the global subscriber: text or JSON lines on stderr, filtered by
/// `RUST_LOG` when it is set and by `log.level` otherwise.
///
/// # Errors
///
/// An invalid filter, or a subscriber that is already installed.
pub fn init(log: &LogConfig) -> anyhow::Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(filter) if !filter.trim().is_empty() => EnvFilter::try_new(&filter)
            .with_context(|| format!("invalid RUST_LOG value {filter:?}"))?,
        _ => EnvFilter::try_new(&log.level)
            .with_context(|| format!("invalid configuration: `log.level` = {:?}", log.level))?,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match log.format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    installed.map_err(|error| anyhow!("cannot install the logger: {error}"))
}
