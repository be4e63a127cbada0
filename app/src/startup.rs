//! Building and running the server.
//!
//! [`Application::build`] does everything that can fail at startup (data directory,
//! binding the socket); [`Application::run_until_stopped`] serves until Ctrl-C or
//! SIGTERM.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use poem::Server;
use poem::listener::TcpAcceptor;
use tokio::net::TcpListener;

use std::sync::Arc;

use zeugnis_store::Store;

use crate::config::Config;
use crate::delivery::Delivery;
use crate::delivery::SystemClock;
use crate::routes::routes;
use crate::state::AppState;
use zeugnis_core::ports::Clock;

/// How long open connections may take to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartupError {
    /// The data directory could not be created or inspected.
    #[error("cannot create data directory `{}`", path.display())]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The data directory path exists but is not a directory.
    #[error("data directory `{}` is not a directory", path.display())]
    DataDirNotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// The database or its master key could not be opened.
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
    /// The mail or SMS settings are unusable.
    #[error(transparent)]
    Delivery(#[from] crate::delivery::DeliveryConfigError),
    /// The HTTP or authentication settings are unusable.
    #[error(transparent)]
    Http(#[from] crate::state::HttpConfigError),
    /// The installation could not be inspected at start.
    #[error("cannot read the installation's tenants: {0}")]
    Tenants(String),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The configured address.
        addr: SocketAddr,
        /// Why, e.g. [`io::ErrorKind::AddrInUse`].
        #[source]
        source: io::Error,
    },
}

/// A server that is bound to its address and ready to run.
pub struct Application {
    acceptor: TcpAcceptor,
    local_addr: SocketAddr,
    config: Config,
    store: Arc<Store>,
    delivery: Delivery,
    state: Arc<AppState>,
}

impl fmt::Debug for Application {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Application")
            .field("local_addr", &self.local_addr)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Prepares the data directory, opens the database (migrations, master key)
    /// and binds the listen address.
    ///
    /// # Errors
    ///
    /// See [`StartupError`].
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`], with another clock (tests move time forward).
    ///
    /// # Errors
    ///
    /// See [`StartupError`].
    pub async fn build_with_clock(
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        prepare_data_dir(&config.data_dir)?;
        let delivery = Delivery::from_config(&config)?;
        let store = Arc::new(crate::storage::open(&config).await?);
        let listen_error = |source| StartupError::Listen {
            addr: config.listen,
            source,
        };
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(listen_error)?;
        let local_addr = listener.local_addr().map_err(listen_error)?;
        let acceptor = TcpAcceptor::from_tokio(listener).map_err(listen_error)?;
        let state = Arc::new(AppState::build(
            &config,
            local_addr,
            Arc::clone(&store),
            clock,
            delivery.waker(),
        )?);
        crate::setup::announce(&state)
            .await
            .map_err(|e| StartupError::Tenants(e.to_string()))?;
        Ok(Self {
            acceptor,
            local_addr,
            config,
            store,
            delivery,
            state,
        })
    }

    /// Wakes the outbox worker (after a commit that queued a message).
    #[must_use]
    pub fn outbox_waker(&self) -> Arc<tokio::sync::Notify> {
        self.delivery.waker()
    }

    /// The outbox worker's finished rounds (see [`Delivery::rounds`]).
    #[must_use]
    pub fn delivery_rounds(&self) -> tokio::sync::watch::Receiver<u64> {
        self.delivery.rounds()
    }

    /// The address actually bound (the port is known here when 0 was asked for).
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The port actually bound.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// The store the server runs on.
    #[must_use]
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The shared state of the HTTP edge.
    #[must_use]
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// The configuration the server runs with.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Serves until Ctrl-C or SIGTERM, then lets open requests finish
    /// (for at most [`SHUTDOWN_GRACE`]).
    ///
    /// # Errors
    ///
    /// The signal handlers could not be installed, or the server failed.
    pub async fn run_until_stopped(self) -> io::Result<()> {
        // Installed before the "listening" line, so that a signal sent by whoever
        // waits for that line is never missed.
        let signal = shutdown_signal()?;
        self.run_until(signal).await
    }

    /// Serves until `signal` completes, then lets open requests finish
    /// (for at most [`SHUTDOWN_GRACE`]).
    ///
    /// # Errors
    ///
    /// The server failed.
    pub async fn run_until(self, signal: impl Future<Output = ()> + Send) -> io::Result<()> {
        let (stop, worker) = self
            .delivery
            .spawn(Arc::clone(&self.store), Arc::clone(&self.state.clock));
        let (retention_stop, retention) = crate::jobs::spawn_retention(
            Arc::clone(&self.state),
            Duration::from_secs(self.config.retention.interval_secs.max(60)),
        );
        tracing::info!("listening on http://{}", self.local_addr);
        let served = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(routes(self.state), signal, Some(SHUTDOWN_GRACE))
            .await;
        // The worker finishes the message in hand; one it cannot finish in time
        // stays claimed and is sent again once its lease ends.
        stop.stop();
        retention_stop.stop();
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, retention).await;
        let abort = worker.abort_handle();
        if tokio::time::timeout(SHUTDOWN_GRACE, worker).await.is_err() {
            abort.abort();
            tracing::warn!(
                "the outbox worker did not stop in time; its claimed messages are sent after their lease"
            );
        }
        served?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Creates the data directory with its parents when missing; new directories get
/// mode 0700 on unix.
pub(crate) fn prepare_data_dir(path: &Path) -> Result<(), StartupError> {
    let error = |source| StartupError::DataDir {
        path: path.to_owned(),
        source,
    };
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_dir() => Ok(()),
        Ok(_) => Err(StartupError::DataDirNotADirectory {
            path: path.to_owned(),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(path).map_err(error)?;
            tracing::info!("created data directory {}", path.display());
            Ok(())
        }
        Err(e) => Err(error(e)),
    }
}

/// A future that completes on Ctrl-C or, on unix, SIGTERM. The handlers are
/// installed when this is called, not when the future is first polled.
#[cfg(unix)]
fn shutdown_signal() -> io::Result<impl Future<Output = ()> + Send> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("received Ctrl-C, shutting down"),
            _ = terminate.recv() => tracing::info!("received SIGTERM, shutting down"),
        }
    })
}

/// A future that completes on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> io::Result<impl Future<Output = ()> + Send> {
    Ok(async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => tracing::info!("received Ctrl-C, shutting down"),
            Err(error) => {
                tracing::warn!("cannot listen for Ctrl-C: {error}");
                std::future::pending::<()>().await;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(data_dir: PathBuf) -> Config {
        Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir,
            ..Config::default()
        }
    }

    #[tokio::test]
    async fn build_creates_the_data_dir_with_its_parents() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("a").join("b");
        let app = Application::build(config(data_dir.clone())).await.unwrap();
        assert!(data_dir.is_dir());
        assert_ne!(app.port(), 0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&data_dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }

    #[tokio::test]
    async fn build_refuses_a_data_dir_that_is_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file");
        std::fs::write(&path, "").unwrap();
        let error = Application::build(config(path)).await.unwrap_err();
        assert!(matches!(error, StartupError::DataDirNotADirectory { .. }));
    }

    #[tokio::test]
    async fn build_refuses_a_taken_port() {
        let dir = tempfile::tempdir().unwrap();
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut config = config(dir.path().join("data"));
        config.listen = taken.local_addr().unwrap();
        let error = Application::build(config).await.unwrap_err();
        assert!(
            matches!(&error, StartupError::Listen { source, .. } if source.kind() == io::ErrorKind::AddrInUse),
            "{error:?}"
        );
        assert!(error.to_string().starts_with("cannot listen on 127.0.0.1:"));
    }

    #[tokio::test]
    async fn a_commit_that_queues_a_message_wakes_the_outbox_worker_by_itself() {
        use std::time::Duration;
        use zeugnis_core::scope::ReferenceScope;
        use zeugnis_core::services::accounts::NewUser;
        use zeugnis_core::values::{Email, Name, Slug};

        let dir = tempfile::tempdir().unwrap();
        let app = Application::build(config(dir.path().join("data")))
            .await
            .unwrap();
        let waker = app.outbox_waker();
        let state = app.state();
        // A permit is stored by a wake; waiting "zero time" tells whether one is.
        let woken = || tokio::time::timeout(Duration::ZERO, waker.notified());
        let created = state
            .tenants()
            .create(
                Slug::parse("acme").unwrap(),
                Name::new("ACME GmbH").unwrap(),
                None,
            )
            .await
            .unwrap();
        assert!(
            woken().await.is_err(),
            "a change without a message wakes nobody"
        );
        state
            .accounts()
            .invite_as_operator(
                created.tenant.id,
                None,
                NewUser {
                    first_name: Name::new("Anna").unwrap(),
                    last_name: Name::new("Admin").unwrap(),
                    email: Email::parse("anna@acme.example").unwrap(),
                    phone: None,
                    role: created.administrator_role,
                    scope: ReferenceScope::Administrator,
                },
            )
            .await
            .unwrap();
        assert!(
            woken().await.is_ok(),
            "the invitation mail was queued: the worker is woken without being asked"
        );
    }
}
