//! Opening the database: SQLite defaults for the embedded case, Postgres by URL.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{DatabaseBackend, DatabaseConnection, SqlxPostgresConnector, SqlxSqliteConnector};
use sea_orm_migration::MigratorTrait;
use zeugnis_crypto::MasterKeyring;

use crate::keys::KeyCache;
use crate::migration::Migrator;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file (created if missing): WAL, foreign keys on, a busy timeout,
    /// `synchronous = FULL` so an acknowledged commit survives a crash.
    Sqlite(PathBuf),
    /// A Postgres database, by URL (`postgres://user:pass@host/db`).
    Postgres(String),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "SQLite file {}", p.display()),
            // The URL may carry a password: show the host part only.
            Location::Postgres(url) => {
                let host = url.rsplit_once('@').map_or("", |(_, h)| h);
                write!(f, "Postgres database {host}")
            }
        }
    }
}

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The database cannot be reached or opened.
    #[error("cannot open the {location}: {reason}")]
    Connect {
        /// Where.
        location: String,
        /// The driver's reason.
        reason: String,
    },
    /// Applying the migrations failed.
    #[error("cannot migrate the database schema: {0}")]
    Migrate(String),
    /// The database was written by a newer version of zeugnis.
    #[error(
        "the database has schema migrations this version does not know ({0}); upgrade zeugnis instead of running an older version"
    )]
    NewerSchema(String),
    /// The configured master key does not fit the data.
    #[error("wrong master key: {0}")]
    MasterKey(String),
}

/// The storage adapter: implements every store port, the unit of work, the
/// outbox queue, the field cipher and the key store.
pub struct Store {
    pub(crate) db: DatabaseConnection,
    pub(crate) keys: KeyCache,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.db.get_database_backend())
            .field("keys", &self.keys)
            .finish()
    }
}

impl Store {
    /// Connects, without migrating or checking the master key (see
    /// [`Store::open`]).
    ///
    /// # Errors
    /// [`OpenError::Connect`].
    pub async fn connect(location: &Location, ring: MasterKeyring) -> Result<Self, OpenError> {
        Ok(Self {
            db: pool(location).await?,
            keys: KeyCache::new(ring),
        })
    }

    /// Connects, applies pending migrations, refuses a schema from a newer
    /// version, and checks the master key against the data.
    ///
    /// # Errors
    /// Any [`OpenError`], each saying what is wrong.
    pub async fn open(location: &Location, ring: MasterKeyring) -> Result<Self, OpenError> {
        let store = Self::connect(location, ring).await?;
        store.migrate().await?;
        store
            .keys
            .verify_master_key(&store.db)
            .await
            .map_err(OpenError::MasterKey)?;
        Ok(store)
    }

    /// Applies pending migrations (`zeugnis migrate`); returns how many ran.
    ///
    /// # Errors
    /// [`OpenError::NewerSchema`], [`OpenError::Migrate`].
    pub async fn migrate(&self) -> Result<usize, OpenError> {
        self.refuse_newer_schema().await?;
        let pending = Migrator::get_pending_migrations(&self.db)
            .await
            .map_err(|e| OpenError::Migrate(e.to_string()))?
            .len();
        Migrator::up(&self.db, None)
            .await
            .map_err(|e| OpenError::Migrate(e.to_string()))?;
        Ok(pending)
    }

    async fn refuse_newer_schema(&self) -> Result<(), OpenError> {
        let known: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        let exists = Migrator::get_migration_models(&self.db).await;
        let Ok(applied) = exists else {
            // No migration table yet: a fresh database.
            return Ok(());
        };
        let unknown: Vec<String> = applied
            .into_iter()
            .map(|m| m.version)
            .filter(|v| !known.contains(v))
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(OpenError::NewerSchema(unknown.join(", ")))
        }
    }

    /// The id of the master key the database was last checked with, if it holds
    /// any key material: `None` for a fresh database (no schema yet, or no key
    /// recorded). Lets the caller tell "first start" from "key file lost".
    ///
    /// # Errors
    /// [`OpenError::Connect`].
    pub async fn recorded_master_key(location: &Location) -> Result<Option<String>, OpenError> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let db = pool(location).await?;
        let row = crate::entity::installation::Entity::find()
            .filter(crate::entity::installation::Column::Name.eq(crate::keys::CHECK_ID))
            .one(&db)
            .await;
        let _ = db.close().await;
        // No table yet is a fresh database.
        Ok(row.ok().flatten().map(|r| r.value))
    }

    /// Whether the database answers (for readiness checks).
    pub async fn ping(&self) -> bool {
        self.db.ping().await.is_ok()
    }

    /// Which database this is.
    #[must_use]
    pub fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// The connection, for tests and tools that look at the raw tables.
    #[must_use]
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Closes the connections.
    ///
    /// # Errors
    /// When the pool cannot be closed cleanly.
    pub async fn close(self) -> Result<(), String> {
        self.db.close().await.map_err(|e| e.to_string())
    }
}

/// The driver's reason for not opening a SQLite file, with the cause named
/// when it is the folder: missing, read-only, or not writable by this user
/// (SQLite itself says only "unable to open database file").
fn sqlite_reason(path: &std::path::Path, driver: &str) -> String {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let shown = folder.display();
    match std::fs::metadata(folder) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return format!("the data folder {shown} does not exist ({driver})");
        }
        Err(e) => return format!("the data folder {shown} cannot be read: {e} ({driver})"),
        Ok(m) if !m.is_dir() => return format!("{shown} is not a folder ({driver})"),
        Ok(_) => {}
    }
    // SQLite writes the -wal and -shm files beside the database: the folder
    // must be writable, not only the file.
    let probe = folder.join(format!(".zeugnis-write-check-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
        }
        Err(e) => {
            let why = if e.kind() == std::io::ErrorKind::PermissionDenied {
                "this user may not write to it (check its owner and permissions)".to_owned()
            } else if e.raw_os_error() == Some(30) {
                "it is on a read-only file system".to_owned()
            } else {
                format!("it cannot be written: {e}")
            };
            return format!("the data folder {shown} is not writable: {why} ({driver})");
        }
    }
    if let Ok(m) = std::fs::metadata(path)
        && m.permissions().readonly()
    {
        return format!(
            "the database file {} is read-only; make it writable for this user ({driver})",
            path.display()
        );
    }
    driver.to_owned()
}

/// How long a request waits for a Postgres connection before the store
/// reports itself unavailable.
pub(crate) const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// The connection pool: SQLite with the embedded defaults, or Postgres.
async fn pool(location: &Location) -> Result<DatabaseConnection, OpenError> {
    let fail = |e: sea_orm::sqlx::Error| OpenError::Connect {
        location: location.to_string(),
        reason: match location {
            Location::Sqlite(path) => sqlite_reason(path, &e.to_string()),
            Location::Postgres(_) => e.to_string(),
        },
    };
    Ok(match location {
        Location::Sqlite(path) => {
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            // No liveness check before every use: it costs a round trip on
            // every call, and a broken connection fails its query anyway.
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                // A connection whose transaction state is unknown is closed, not
                // reused (closing rolls back and frees the write lock). After
                // SQLite rolled a transaction back by itself (SQLITE_FULL,
                // SQLITE_IOERR) the driver's ROLLBACK fails, and after a failed
                // COMMIT the transaction may still be open; either way the
                // driver still counts a transaction, so the next BEGIN on that
                // connection would become a SAVEPOINT inside a transaction that
                // never commits: writes acknowledged and lost, and every other
                // writer locked out.
                .after_release(|conn, _| {
                    Box::pin(async move {
                        use sea_orm::sqlx::Connection as _;
                        let clean = !conn.is_in_transaction();
                        if !clean {
                            tracing::warn!(
                                "closing a database connection left inside a failed transaction"
                            );
                        }
                        Ok(clean)
                    })
                })
                .connect_with(options)
                .await
                .map_err(fail)?;
            SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
        }
        Location::Postgres(url) => {
            let options = sea_orm::sqlx::postgres::PgConnectOptions::from_str(url).map_err(fail)?;
            // Keep connections open (opening one costs ~100 ms) and skip the
            // round trip that tests a connection before each use: a
            // connection broken by a server restart fails one query and is
            // replaced.
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .min_connections(2)
                .test_before_acquire(false)
                .idle_timeout(Duration::from_secs(600))
                // An outage must answer quickly (503), not hold requests for
                // the default 30 s or pile them up.
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await
                .map_err(fail)?;
            SqlxPostgresConnector::from_sqlx_postgres_pool(pool)
        }
    })
}
