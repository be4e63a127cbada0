//! Helpers for zeugnis' integration tests, which live in `tests/`.
//!
//! [`TestApp`] runs the real [`Application`] in-process on a free port with a fresh
//! data directory, and talks to it over real HTTP:
//!
//! ```no_run
//! # async fn example() {
//! let app = zeugnis_tests::TestApp::spawn().await;
//! assert_eq!(app.get("/health").await.status(), 200);
//! # }
//! ```

#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test that calls them"
)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::TempDir;
use tokio::task::JoinHandle;
use zeugnis_app::{Application, Config};

pub mod db;
pub mod sms_gateway;
pub mod smtp_sink;

/// How long a request may take before the test fails.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A running server, stopped when dropped.
#[derive(Debug)]
pub struct TestApp {
    addr: SocketAddr,
    data_dir: PathBuf,
    client: reqwest::Client,
    server: JoinHandle<std::io::Result<()>>,
    // Dropped last: the server may still hold files in it.
    temp_dir: TempDir,
}

/// Builds a [`TestApp`]: `TestApp::builder().with_config(...).spawn().await`.
#[derive(Debug)]
pub struct TestAppBuilder {
    config: Config,
    temp_dir: TempDir,
}

impl TestAppBuilder {
    /// Changes the configuration. The listen address and data directory are set
    /// already (port 0, a fresh temporary directory).
    #[must_use]
    pub fn with_config(mut self, adjust: impl FnOnce(&mut Config)) -> Self {
        adjust(&mut self.config);
        self
    }

    /// Builds the server and runs it on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// When the server cannot be built.
    pub async fn spawn(self) -> TestApp {
        let Self { config, temp_dir } = self;
        let app = Application::build(config)
            .await
            .expect("the application builds");
        let addr = app.local_addr();
        let data_dir = app.config().data_dir.clone();
        let server = tokio::spawn(app.run_until(std::future::pending()));
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("HTTP client");
        TestApp {
            addr,
            data_dir,
            client,
            server,
            temp_dir,
        }
    }
}

impl TestApp {
    /// A builder, to change the setup before spawning.
    ///
    /// # Panics
    ///
    /// When no temporary directory can be created.
    #[must_use]
    pub fn builder() -> TestAppBuilder {
        let temp_dir = tempfile::tempdir().expect("temporary directory");
        TestAppBuilder {
            config: Config {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                data_dir: temp_dir.path().join("data"),
                ..Config::default()
            },
            temp_dir,
        }
    }

    /// Spawns a server with the default test setup.
    ///
    /// # Panics
    ///
    /// When the server cannot be built.
    pub async fn spawn() -> Self {
        Self::builder().spawn().await
    }

    /// The address the server listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's data directory.
    #[must_use]
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// A temporary directory for the test, removed when the app is dropped; the
    /// default data directory is `data` inside it.
    #[must_use]
    pub fn temp_dir(&self) -> &Path {
        self.temp_dir.path()
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// An HTTP client that follows no redirects and uses no proxy.
    #[must_use]
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// `GET path`.
    ///
    /// # Panics
    ///
    /// When the request fails or times out.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET request to the test server")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}
