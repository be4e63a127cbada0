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

use serde_json::Value;
use tempfile::TempDir;
use tokio::task::JoinHandle;
use zeugnis_app::config::SmtpSecurityConfig;
use zeugnis_app::{Application, Config};
use zeugnis_core::access::Permissions;
use zeugnis_core::ports::Clock;
use zeugnis_core::values::Timestamp;
use zeugnis_store::testing::TestDatabase;

use crate::api::{ApiClient, Invitee, Organisation};
use crate::smtp_sink::{Mailbox, ReceivedMail};

pub mod api;
pub mod browser;
pub mod db;
pub mod main_job;
pub mod pages;
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

    /// A clock at `at`.
    #[must_use]
    pub fn at(at: Timestamp) -> Arc<Self> {
        Arc::new(Self(Mutex::new(at)))
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
    outbox_waker: Arc<tokio::sync::Notify>,
    mail: MailSource,
    // How many of the mails `deliver_outbox` has returned already.
    delivered: Mutex<usize>,
    organisation: Option<Organisation>,
    admin: Option<ApiClient>,
    users: Vec<TestUser>,
    // Kept for the server's lifetime (a Postgres database is dropped with it).
    _database: Option<TestDatabase>,
    // Dropped last: the server may still hold files in it.
    temp_dir: TempDir,
}

/// Where a [`TestApp`]'s mails end up.
#[derive(Debug, Clone)]
enum MailSource {
    /// The mail folder in the data directory (no SMTP server configured).
    Folder(PathBuf),
    /// The mail directory of an [`smtp_sink::SmtpSink`].
    Sink(PathBuf),
}

/// The role of a user made by [`TestAppBuilder::with_user`].
#[derive(Debug, Clone)]
pub enum TestRole {
    /// The built-in Administrator role.
    Administrator,
    /// A custom role with this name and these permissions, stored directly
    /// (once per name, however many users have it).
    Custom(String, Permissions),
}

impl TestRole {
    /// A custom role.
    #[must_use]
    pub fn custom(name: &str, permissions: Permissions) -> Self {
        Self::Custom(name.to_owned(), permissions)
    }
}

/// A user made by [`TestAppBuilder::with_user`]: registered through the
/// mailed link and logged in.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// The user's id.
    pub id: String,
    /// The address, `user<n>@nordlicht.example` (from 1, in the order asked).
    pub email: String,
    /// The password, [`USER_PASSWORD`].
    pub password: &'static str,
    /// The id of the user's role.
    pub role_id: String,
    /// A client logged in as the user.
    pub client: ApiClient,
}

/// The password of the users made by [`TestAppBuilder::with_user`].
pub const USER_PASSWORD: &str = "Linden-Hof-Weg-31";

/// Builds a [`TestApp`]: `TestApp::builder().with_config(...).spawn().await`.
pub struct TestAppBuilder {
    config: Config,
    temp_dir: TempDir,
    clock: Option<Arc<dyn Clock>>,
    database: Option<TestDatabase>,
    smtp_dir: Option<PathBuf>,
    admin: bool,
    users: Vec<(TestRole, Value)>,
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

    /// Sets up [`api::ORGANISATION`] through the first-start setup and logs
    /// its Administrator in: see [`TestApp::organisation`] and
    /// [`TestApp::admin`].
    #[must_use]
    pub fn with_admin(mut self) -> Self {
        self.admin = true;
        self
    }

    /// Adds a user with `role` and `scope` (as the API takes it, e.g.
    /// `{"administrator": false, "location": ["Köln"]}`), invited by the
    /// Administrator, registered through the mailed link and logged in: see
    /// [`TestApp::user`]. Implies [`with_admin`](Self::with_admin).
    #[must_use]
    pub fn with_user(mut self, role: TestRole, scope: Value) -> Self {
        self.admin = true;
        self.users.push((role, scope));
        self
    }

    /// Sends mail to this sink (plain SMTP on this machine).
    #[must_use]
    pub fn with_smtp(mut self, sink: &smtp_sink::SmtpSink) -> Self {
        self.smtp_dir = Some(sink.mail_dir().to_owned());
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
            smtp_dir,
            admin,
            users,
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
        let outbox_waker = app.outbox_waker();
        let mail = match smtp_dir {
            Some(dir) => MailSource::Sink(dir),
            None => MailSource::Folder(data_dir.join("mail")),
        };
        let server = tokio::spawn(app.run_until(std::future::pending()));
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("HTTP client");
        let mut app = TestApp {
            addr,
            data_dir,
            client,
            server,
            state,
            store,
            rounds,
            outbox_waker,
            mail,
            delivered: Mutex::new(0),
            organisation: None,
            admin: None,
            users: Vec::new(),
            _database: database,
            temp_dir,
        };
        if admin {
            let (org, mut admin) = api::organisation_with_admin(&app).await;
            // Custom roles by name: asked for twice, made once.
            let mut roles: Vec<(String, String)> = Vec::new();
            for (n, (role, scope)) in users.into_iter().enumerate() {
                let role_id = match role {
                    TestRole::Administrator => api::administrator_role_id(&mut admin).await,
                    TestRole::Custom(name, permissions) => {
                        if let Some((_, id)) = roles.iter().find(|(known, _)| *known == name) {
                            id.clone()
                        } else {
                            let id = api::insert_role(&app, org.tenant, &name, permissions)
                                .await
                                .to_string();
                            roles.push((name, id.clone()));
                            id
                        }
                    }
                };
                let user = app.register_user(&mut admin, n + 1, role_id, scope).await;
                app.users.push(user);
            }
            app.organisation = Some(org);
            app.admin = Some(admin);
        }
        app
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
            smtp_dir: None,
            admin: false,
            users: Vec::new(),
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

    /// The organisation of [`TestAppBuilder::with_admin`].
    ///
    /// # Panics
    /// When the app was built without it.
    #[must_use]
    pub fn organisation(&self) -> &Organisation {
        self.organisation
            .as_ref()
            .expect("the app was built with_admin()")
    }

    /// A client in the session of the Administrator of
    /// [`TestAppBuilder::with_admin`] (a copy: like another tab of the same
    /// browser, a logout in one ends the other).
    ///
    /// # Panics
    /// When the app was built without it.
    #[must_use]
    pub fn admin(&self) -> ApiClient {
        self.admin.clone().expect("the app was built with_admin()")
    }

    /// The `n`-th user of [`TestAppBuilder::with_user`], from 1.
    ///
    /// # Panics
    /// When there is no such user.
    #[must_use]
    pub fn user(&self, n: usize) -> &TestUser {
        n.checked_sub(1)
            .and_then(|i| self.users.get(i))
            .unwrap_or_else(|| {
                panic!(
                    "the app was built with {} user(s), not {n}",
                    self.users.len()
                )
            })
    }

    async fn register_user(
        &self,
        admin: &mut ApiClient,
        n: usize,
        role_id: String,
        scope: Value,
    ) -> TestUser {
        let email = format!("user{n}@nordlicht.example");
        let first_name = format!("Nutzer{n}");
        let id = api::invite_and_register(
            admin,
            self,
            &Invitee {
                first_name: &first_name,
                last_name: "Test",
                email: &email,
                role_id: &role_id,
                scope,
            },
            USER_PASSWORD,
        )
        .await;
        let client = api::logged_in(self, &email, USER_PASSWORD).await;
        TestUser {
            id,
            email,
            password: USER_PASSWORD,
            role_id,
            client,
        }
    }

    /// Wakes the outbox worker, waits for the round that follows and until
    /// nothing waits in the outbox, and returns the mails that arrived since
    /// the last call (at the SMTP sink of
    /// [`with_smtp`](TestAppBuilder::with_smtp), else in the mail folder).
    ///
    /// # Panics
    /// When no round finishes, or messages still wait, within
    /// [`api::MAIL_TIMEOUT`].
    pub async fn deliver_outbox(&self) -> Vec<ReceivedMail> {
        let mut rounds = self.delivery_rounds();
        rounds.borrow_and_update();
        self.outbox_waker.notify_one();
        tokio::time::timeout(api::MAIL_TIMEOUT, rounds.changed())
            .await
            .expect("the outbox worker finishes a round")
            .expect("the outbox worker runs");
        api::outbox_drained(self).await;
        let all = Mailbox::received(self);
        let mut delivered = self
            .delivered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let new = all.get(*delivered..).unwrap_or_default().to_vec();
        *delivered = all.len();
        new
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

impl Mailbox for TestApp {
    fn received(&self) -> Vec<ReceivedMail> {
        match &self.mail {
            MailSource::Sink(dir) => smtp_sink::read_sink_dir(dir),
            MailSource::Folder(dir) => smtp_sink::read_mail_folder(dir),
        }
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
