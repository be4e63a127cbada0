//! Real databases for cross-crate tests: a fresh SQLite file, or a fresh
//! Postgres database (dropped afterwards, also when the test fails).
//!
//! Postgres tests run when `ZEUGNIS_TEST_POSTGRES_URL` names a server whose
//! user may create databases; without it they skip with a visible note, and
//! under `CI=true` they fail instead.

use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database};
use tempfile::TempDir;
use zeugnis_core::id::TenantId;
use zeugnis_core::ports::{ChangeSet, UnitOfWork, Write};
use zeugnis_core::tenant::{Tenant, TenantStatus};
use zeugnis_core::values::{Name, Slug, Timestamp};
use zeugnis_crypto::{KeySource, MasterKey, MasterKeyring};
use zeugnis_store::{Location, Store};

/// A fresh database with its store.
#[derive(Debug)]
pub struct TestDb {
    /// The store on it.
    pub store: Store,
    /// Where it is.
    pub location: Location,
    /// Its master key.
    pub master: MasterKey,
    dir: Option<TempDir>,
    pg: Option<PgDatabase>,
}

#[derive(Debug)]
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Dropping needs async I/O; do it on a runtime of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(db) = Database::connect(&admin_url).await {
                    let _ = db
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = db.close().await;
                }
            });
        })
        .join();
    }
}

/// The keyring of a test master key.
#[must_use]
pub fn ring(master: &MasterKey) -> MasterKeyring {
    MasterKeyring::new(master.clone(), KeySource::Env("TEST_MASTER_KEY".into()))
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The Postgres server for tests, or `None` (with a visible note) outside CI.
///
/// # Panics
/// Under `CI=true` when `ZEUGNIS_TEST_POSTGRES_URL` is not set.
#[must_use]
pub fn postgres_url_or_skip(what: &str) -> Option<String> {
    if let Ok(url) = std::env::var("ZEUGNIS_TEST_POSTGRES_URL") {
        return Some(url);
    }
    assert!(
        std::env::var("CI").is_err(),
        "ZEUGNIS_TEST_POSTGRES_URL must be set under CI: Postgres tests may not skip"
    );
    #[expect(clippy::print_stderr, reason = "a skipped test says so")]
    {
        eprintln!("SKIPPED: {what} on Postgres (set ZEUGNIS_TEST_POSTGRES_URL to run it)");
    }
    None
}

impl TestDb {
    /// A fresh SQLite file.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let location = Location::Sqlite(dir.path().join("zeugnis.db"));
        let master = MasterKey::generate().expect("a master key");
        let store = Store::open(&location, ring(&master))
            .await
            .expect("the SQLite store opens");
        Self {
            store,
            location,
            master,
            dir: Some(dir),
            pg: None,
        }
    }

    /// A fresh Postgres database, or `None` when none is configured outside CI.
    pub async fn postgres(what: &str) -> Option<Self> {
        let admin_url = postgres_url_or_skip(what)?;
        let name = format!(
            "zeugnis_it_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
        );
        let admin = Database::connect(&admin_url)
            .await
            .expect("the Postgres server answers");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("a test database can be created");
        let _ = admin.close().await;
        let pg = PgDatabase {
            admin_url: admin_url.clone(),
            name: name.clone(),
        };
        let location = Location::Postgres(with_database(&admin_url, &name));
        let master = MasterKey::generate().expect("a master key");
        let store = Store::open(&location, ring(&master))
            .await
            .expect("the Postgres store opens");
        Some(Self {
            store,
            location,
            master,
            dir: None,
            pg: Some(pg),
        })
    }

    /// Whether this is Postgres.
    #[must_use]
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// Another store on the same database with its own connection pool (as a
    /// second app instance would have).
    pub async fn open_again(&self) -> Store {
        Store::open(&self.location, ring(&self.master))
            .await
            .expect("the store opens a second time")
    }

    /// The SQLite folder, if SQLite.
    #[must_use]
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(TempDir::path)
    }
}

/// `url` (`postgres://user@host:port/db?params`) with its database replaced by
/// `name`.
#[must_use]
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.split_once("://").map_or(base, |(_, rest)| rest);
    let authority = after_scheme.split('/').next().unwrap_or_default();
    let prefix = base
        .strip_suffix(after_scheme)
        .map_or_else(String::new, ToOwned::to_owned);
    let mut out = format!("{prefix}{authority}/{name}");
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Creates an active tenant `n` named `name`.
pub async fn seed_tenant(store: &Store, n: u8, name: &str) -> TenantId {
    let tenant = Tenant {
        id: TenantId::from_bytes([n; 16]),
        slug: Slug::parse(&format!("firma{n}")).expect("a valid slug"),
        name: Name::new(name).expect("a valid name"),
        status: TenantStatus::Active,
        created_at: Timestamp::now(),
    };
    let id = tenant.id;
    let mut changes = ChangeSet::new(id);
    changes.push(Write::InsertTenant(tenant));
    store.commit(changes).await.expect("the tenant is created");
    id
}
