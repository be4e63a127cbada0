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
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tempfile::TempDir;
use tokio::task::JoinHandle;
use zeugnis_app::config::SmtpSecurityConfig;
use zeugnis_app::{Application, Config};
use zeugnis_core::ports::Clock;
use zeugnis_core::values::Timestamp;
use zeugnis_store::testing::TestDatabase;

pub mod api;
pub mod browser;
pub mod client;
pub mod db;
pub mod main_job;
pub mod proxy;
pub mod sms_gateway;
pub mod smtp_sink;

/// How long a request may take before the test fails.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A clock the test moves by hand; starts at the real time.
#[derive(Debug)]
pub struct TestClock(Mutex<Timestamp>);

impl TestClock {
    /// A clock at the current time.
    #[must_use]
    pub fn new() -> Arc<Self> {
        Arc::new(Self(Mutex::new(Timestamp::now())))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: time::Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Which database a [`TestApp`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh SQLite file in the data directory (the default).
    Sqlite,
    /// A fresh Postgres database (needs `ZEUGNIS_TEST_POSTGRES_URL`).
    Postgres,
}

/// A running server, stopped when dropped.
#[derive(Debug)]
pub struct TestApp {
    addr: SocketAddr,
    data_dir: PathBuf,
    client: reqwest::Client,
    server: JoinHandle<std::io::Result<()>>,
    state: Arc<zeugnis_app::state::AppState>,
    store: Arc<zeugnis_store::Store>,
    rounds: tokio::sync::watch::Receiver<u64>,
    // Kept for the server's lifetime (a Postgres database is dropped with it).
    _database: Option<TestDatabase>,
    // Dropped last: the server may still hold files in it.
    temp_dir: TempDir,
}

/// Builds a [`TestApp`]: `TestApp::builder().with_config(...).spawn().await`.
pub struct TestAppBuilder {
    config: Config,
    temp_dir: TempDir,
    clock: Option<Arc<dyn Clock>>,
    database: Option<TestDatabase>,
}

impl std::fmt::Debug for TestAppBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestAppBuilder")
            .field("config", &self.config)
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

impl TestAppBuilder {
    /// Changes the configuration. The listen address and data directory are set
    /// already (port 0, a fresh temporary directory).
    #[must_use]
    pub fn with_config(mut self, adjust: impl FnOnce(&mut Config)) -> Self {
        adjust(&mut self.config);
        self
    }

    /// Runs the server with this clock.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Sends mail to this sink (plain SMTP on this machine).
    #[must_use]
    pub fn with_smtp(self, sink: &smtp_sink::SmtpSink) -> Self {
        let (host, port) = (sink.host().to_owned(), sink.port());
        self.with_config(|c| {
            c.smtp.host = host;
            c.smtp.port = port;
            c.smtp.security = SmtpSecurityConfig::Plain;
            c.smtp.from = "zeugnis@firma.de".into();
            c.delivery.poll_secs = 1;
        })
    }

    /// Runs on `backend`; `None` when Postgres is asked for but not configured
    /// outside CI (the caller skips with a message).
    ///
    /// # Panics
    /// Under `CI=true` without a Postgres server.
    pub async fn on(mut self, backend: Backend, what: &str) -> Option<Self> {
        if backend == Backend::Postgres {
            let db = TestDatabase::postgres(what)
                .await
                .expect("a Postgres test database")?;
            if let zeugnis_store::Location::Postgres(url) = db.location() {
                self.config.database.url.clone_from(url);
            }
            self.database = Some(db);
        }
        Some(self)
    }

    /// Builds the server and runs it on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// When the server cannot be built.
    pub async fn spawn(self) -> TestApp {
        show_server_log();
        let Self {
            config,
            temp_dir,
            clock,
            database,
        } = self;
        let app = match clock {
            Some(clock) => Application::build_with_clock(config, clock).await,
            None => Application::build(config).await,
        }
        .expect("the application builds");
        let addr = app.local_addr();
        let data_dir = app.config().data_dir.clone();
        let state = Arc::clone(app.state());
        let store = Arc::clone(app.store());
        let rounds = app.delivery_rounds();
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
            state,
            store,
            rounds,
            _database: database,
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
                http: zeugnis_app::config::HttpConfig {
                    public_url: "http://localhost".into(),
                    secure_cookies: false,
                    trusted_proxies: Vec::new(),
                },
                // Cheap hashes: the suite hashes thousands of passwords.
                auth: zeugnis_app::config::AuthConfig {
                    password_hashing: zeugnis_app::config::PasswordHashing::InsecureForTests,
                    ..zeugnis_app::config::AuthConfig::default()
                },
                ..Config::default()
            },
            temp_dir,
            clock: None,
            database: None,
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

    /// The server's shared state (its store, the setup token…).
    #[must_use]
    pub fn state(&self) -> &Arc<zeugnis_app::state::AppState> {
        &self.state
    }

    /// The outbox worker's finished rounds: changes after every round.
    #[must_use]
    pub fn delivery_rounds(&self) -> tokio::sync::watch::Receiver<u64> {
        self.rounds.clone()
    }

    /// The server's store, for tests that set up or inspect data directly.
    #[must_use]
    pub fn store(&self) -> &Arc<zeugnis_store::Store> {
        &self.store
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

/// With `TEST_LOG` set (`TEST_LOG=1`, or a filter such as
/// `TEST_LOG=zeugnis_app=debug`), the servers of the tests log to stderr as
/// `zeugnis serve` does; without it they are silent. Installed once per test
/// binary.
fn show_server_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(value) = std::env::var("TEST_LOG") else {
            return;
        };
        let level = match value.trim() {
            "" | "1" | "true" => "info".to_owned(),
            filter => filter.to_owned(),
        };
        let config = zeugnis_app::config::LogConfig {
            level,
            ..zeugnis_app::config::LogConfig::default()
        };
        if let Err(error) = zeugnis_app::telemetry::init(&config) {
            let _ = std::io::Write::write_fmt(
                &mut std::io::stderr(),
                format_args!("TEST_LOG: {error}\n"),
            );
        }
    });
}

/// Runs each named `async fn(Backend)` of the calling test file as two tests,
/// `sqlite::<name>` and `postgres::<name>`, on a multi-threaded runtime with
/// two workers (`workers = N;` first for another number). Outside CI without
/// `ZEUGNIS_TEST_POSTGRES_URL` the Postgres helper prints a SKIPPED line and
/// the test returns; under `CI=true` a missing database fails.
#[macro_export]
macro_rules! on_both_databases {
    (workers = $workers:literal; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = $workers)]
                async fn $name() {
                    super::$name(zeugnis_tests::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = $workers)]
                async fn $name() {
                    // Outside CI without ZEUGNIS_TEST_POSTGRES_URL the database
                    // helper prints a SKIPPED line and the test returns.
                    super::$name(zeugnis_tests::Backend::Postgres).await;
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        $crate::on_both_databases!(workers = 2; $($name),*);
    };
}
