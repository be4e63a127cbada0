//! The zeugnis server: configuration, command line, HTTP server.
//!
//! The binary `zeugnis` is a thin wrapper around [`cli`]. Tests and embedders start
//! the server in-process:
//!
//! ```no_run
//! # async fn start() -> Result<(), zeugnis_app::StartupError> {
//! let config = zeugnis_app::Config::default();
//! let app = zeugnis_app::Application::build(config).await?;
//! let port = app.port();
//! tokio::spawn(app.run_until_stopped());
//! # let _ = port;
//! # Ok(())
//! # }
//! ```

pub mod admin;
pub mod api;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod jobs;
pub mod request_log;
pub mod routes;
pub mod security_headers;
pub mod setup;
pub mod startup;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod throttle;
pub mod web;

pub use config::Config;
pub use startup::{Application, StartupError};
